namespace Storemon.Tests;

/// <summary>
/// Tests that kill a real worker process mid-report (or stop the database under one) and count on the
/// heartbeat, stale after a few seconds, to tell a dead run from a live one. xunit runs them after every
/// other test, one at a time: beside other tests a small machine can hold up a live worker's heartbeat
/// that long, and it is taken for dead.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "Run alone";
}
