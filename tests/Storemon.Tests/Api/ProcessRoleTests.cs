using Microsoft.Extensions.Options;
using Storemon.Tests.Databases;
using Storemon.Tests.EndToEnd;

namespace Storemon.Tests.Api;

/// <summary>
/// Storemon:Role: the API and the workers run in processes of their own only over a database that
/// several processes share, which a SQLite file is not.
/// </summary>
public sealed class ProcessRoleTests
{
    private const string NeedsPostgres =
        "Storemon:Role Api or Worker needs a PostgreSQL database: a SQLite file serves one process, which has both roles.";

    [Fact]
    public void The_api_role_on_SQLite_refuses_to_start()
    {
        using var service = new ServiceFactory(DatabaseKind.Sqlite, ("Storemon:Role", "Api"));

        var refused = Assert.Throws<OptionsValidationException>(() => service.CreateClient());

        Assert.Contains(NeedsPostgres, refused.Failures);
    }

    // A worker is a host of its own (no HTTP), which the in-memory test server cannot stand in for: the
    // real program, run as a worker, must stop at once with the reason and create no database.
    [Fact]
    public async Task The_worker_role_on_SQLite_refuses_to_start_and_creates_no_database()
    {
        using var database = TestDatabase.Create(DatabaseKind.Sqlite);

        var (exitCode, output) = await ServerProcess.RunToExit(database.Connection, ("Storemon__Role", "Worker"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains(NeedsPostgres, output, StringComparison.Ordinal);
        Assert.False(File.Exists(database.Connection), "the worker created the SQLite file it refused");
    }
}
