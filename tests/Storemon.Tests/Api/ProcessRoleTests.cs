using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
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

    // An API node behind a load balancer must stay in service while no worker runs: triggers wait in
    // the shared queue. /health says so (Degraded, 200) and turns Healthy once a worker registers.
    [SkippableFact]
    public async Task An_api_process_without_workers_is_degraded_not_unhealthy_until_a_worker_starts()
    {
        using var api = new ServiceFactory(DatabaseKind.Postgres, ("Storemon:Role", "Api"));
        using var client = api.CreateClient();

        var alone = await HealthAnswer.Get(client);

        Assert.Equal(HttpStatusCode.OK, alone.Code);
        Assert.Equal("Degraded", alone.Status);
        Assert.Equal("Degraded", alone["jobs"].Status);
        Assert.Equal("No worker is running: reports wait in the queue until one starts.", alone["jobs"].Description);

        using var worker = api.WithWebHostBuilder(builder => builder.UseSetting("Storemon:Role", "All"));
        using var workerClient = worker.CreateClient();
        var status = "";
        for (var i = 0; i < 100 && status != "Healthy"; i++)
        {
            status = (await HealthAnswer.Get(client)).Status;
            if (status != "Healthy")
            {
                await Task.Delay(100);
            }
        }
        Assert.Equal("Healthy", status);
    }

    // /health is polled often: it must not read the polls (a report's latest-poll probe reads an index
    // entry per store). With the poll table locked by a long import-like transaction it still answers.
    [SkippableFact]
    public async Task Health_answers_while_the_poll_table_is_locked()
    {
        using var service = new ServiceFactory(DatabaseKind.Postgres);
        using var client = service.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(20);
        using (var warm = await client.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }
        await using var locker = new NpgsqlConnection(service.Database.Connection);
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("LOCK TABLE poll IN ACCESS EXCLUSIVE MODE", locker, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        var health = await HealthAnswer.Get(client);

        Assert.Equal(HttpStatusCode.OK, health.Code);
        Assert.Equal("Healthy", health.Status);
    }
}
