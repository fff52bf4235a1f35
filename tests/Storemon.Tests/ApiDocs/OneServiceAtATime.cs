namespace Storemon.Tests.ApiDocs;

/// <summary>
/// The tests here that start the service run alone, after every parallel test. Hangfire keeps its
/// configuration (the job storage among it) in process-wide statics, so two services alive at once in
/// one test process can take each other's jobs: a report of one would wait forever in the other's queue.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OneServiceAtATime
{
    public const string Name = "One service at a time";
}
