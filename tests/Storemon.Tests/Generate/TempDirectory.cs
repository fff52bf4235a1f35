namespace Storemon.Tests.Generate;

/// <summary>A fresh directory for one test's output, deleted afterwards (nothing of it is left in the temporary folder).</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("storemon-tests-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
