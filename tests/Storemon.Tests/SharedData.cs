namespace Storemon.Tests;

/// <summary>
/// Finds the real data files of the public task (<c>shared/data</c>), which live beside the repository
/// rather than in it: here the repository is <c>/work/main</c> and the data <c>/work/shared/data</c>, and a
/// CI clone gets a copy of <c>shared/</c> beside it. So every folder above the test binaries is asked
/// whether it holds <c>shared/data</c>.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string> Folder = new(Find);

    public static string PathOf(string fileName) => Path.Combine(Folder.Value, fileName);

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "v1_menu_hours.csv")))
            {
                return candidate;
            }
        }
        // Fail, not skip: a test run without the real data has not tested the import.
        throw new InvalidOperationException($"No shared/data folder with the real data files above {AppContext.BaseDirectory}.");
    }
}
