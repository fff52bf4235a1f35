using System.Net;
using System.Text;
using Storemon.Tests.Databases;

namespace Storemon.Tests.EndToEnd;

/// <summary>
/// Uploads wait in the service's own folder while they are imported; what a killed service left there
/// is deleted by the next one to start.
/// </summary>
public sealed class UploadFolderTests() : DatabaseTest(DatabaseKind.Sqlite)
{
    // No process has this id (Linux ids stop far below it).
    private const string GoneProcess = "2147483646-0123456789abcdef";

    [SkippableFact]
    public async Task An_upload_cut_off_by_kill_9_is_deleted_when_the_next_service_starts_and_live_folders_are_kept()
    {
        var temp = Directory.CreateDirectory(Db.PathOf("tmp")).FullName;
        var uploads = Path.Combine(temp, "storemon-uploads");
        var live = Directory.CreateDirectory(Path.Combine(uploads, $"{Environment.ProcessId}-live")).FullName;
        File.WriteAllText(Path.Combine(live, "in-use.csv"), "store_id,status,timestamp_utc\n");
        Directory.CreateDirectory(Path.Combine(uploads, GoneProcess));
        File.WriteAllText(Path.Combine(uploads, GoneProcess, "left.csv"), "store_id,status,timestamp_utc\n");

        // A service that is killed while an upload streams in: its part of the upload is on disk.
        string killedFolder;
        using (var first = await ServerProcess.Start(Db.Connection, ("TMPDIR", temp)))
        {
            Assert.False(Directory.Exists(Path.Combine(uploads, GoneProcess)));
            Assert.True(File.Exists(Path.Combine(live, "in-use.csv")));
            Assert.Contains("Deleted the uploads of 1 service(s) that ended during an import", first.Output, StringComparison.Ordinal);

            using var client = first.Client();
            using var stop = new CancellationTokenSource();
            using var body = new HalfSentBody(stop.Token);
            var upload = client.PostAsync("/imports/status", body, stop.Token);
            await body.HalfSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
            killedFolder = await WaitForUpload(uploads, first.Id);
            first.Kill();
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => upload);
        }
        Assert.True(Directory.Exists(killedFolder));

        using var second = await ServerProcess.Start(Db.Connection, ("TMPDIR", temp));
        Assert.False(Directory.Exists(killedFolder));
        Assert.True(File.Exists(Path.Combine(live, "in-use.csv")));

        // And an upload that completes leaves nothing behind.
        using var after = second.Client();
        using var csv = new StringContent("store_id,status,timestamp_utc\ns1,active,2023-01-25 18:00:00 UTC\n", Encoding.UTF8, "text/csv");
        using var response = await after.PostAsync("/imports/status", csv);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(Directory.EnumerateFiles(uploads, "*.csv", SearchOption.AllDirectories), f => !f.StartsWith(live, StringComparison.Ordinal));
    }

    // The folder of the service with process id <paramref name="pid"/>, once its upload file is there.
    private static async Task<string> WaitForUpload(string uploads, int pid)
    {
        for (var i = 0; i < 300; i++)
        {
            var folder = Directory.Exists(uploads)
                ? Directory.EnumerateDirectories(uploads, $"{pid}-*").FirstOrDefault(f => Directory.EnumerateFiles(f).Any())
                : null;
            if (folder is not null)
            {
                return folder;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"No upload of process {pid} appeared in {uploads}.");
    }

    /// <summary>A status CSV body that sends its first rows and then waits, as a slow client's upload does.</summary>
    private sealed class HalfSentBody : HttpContent
    {
        private readonly CancellationToken _stop;

        public HalfSentBody(CancellationToken stop)
        {
            _stop = stop;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        }

        public TaskCompletionSource HalfSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var rows = new StringBuilder("store_id,status,timestamp_utc\n");
            for (var i = 0; i < 20_000; i++)
            {
                rows.Append("s1,active,2023-01-25 18:00:00 UTC\n");
            }
            await stream.WriteAsync(Encoding.UTF8.GetBytes(rows.ToString()));
            await stream.FlushAsync();
            HalfSent.SetResult();
            await Task.Delay(Timeout.Infinite, _stop);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
