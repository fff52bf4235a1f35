namespace Storemon.Tests;

/// <summary>
/// Tests that kill a real worker process mid-report and count on the workers left to tell it from a
/// live one by its heartbeat, stale after a few seconds. xunit runs them after every other test, one
/// at a time: beside other tests a small machine can hold up a live worker's heartbeat that long, and
/// it is taken for dead.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "Run alone";
}
