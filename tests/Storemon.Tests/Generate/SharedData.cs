namespace Storemon.Tests.Generate;

/// <summary>
/// The real data files of the public task, in <c>shared/data</c> beside the repository (or above it):
/// found by walking up from the test binaries, so that any clone with <c>shared/</c> next to it works.
/// </summary>
internal static class SharedData
{
    public static string PathOf(string fileName)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "data", fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        // Fail rather than skip: a test that silently does not run proves nothing.
        throw new FileNotFoundException($"No shared/data/{fileName} above {AppContext.BaseDirectory}.");
    }
}
