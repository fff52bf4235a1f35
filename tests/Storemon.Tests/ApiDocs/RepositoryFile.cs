namespace Storemon.Tests.ApiDocs;

/// <summary>Files of the repository itself (not copied to the test output): found above the test binaries, beside storemon.slnx.</summary>
internal static class RepositoryFile
{
    private static readonly Lazy<string> Root = new(Find);

    public static string PathOf(string relativePath) => Path.Combine(Root.Value, relativePath);

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "storemon.slnx")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No storemon.slnx above {AppContext.BaseDirectory}.");
    }
}
