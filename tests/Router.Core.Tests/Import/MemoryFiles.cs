using Router.Core.Import;

namespace Router.Core.Tests.Import;

/// <summary>A file system in a dictionary, with glob(3) expansion over its paths.</summary>
internal sealed class MemoryFiles(Dictionary<string, string> files) : IKeepalivedFiles
{
    public string? Read(string path) => files.GetValueOrDefault(path);

    public IReadOnlyList<string> Expand(string pattern) =>
        files.Keys.Where(k => Matches(pattern.Split('/'), k.Split('/'))).Order(StringComparer.Ordinal).ToList();

    private static bool Matches(string[] pattern, string[] path) =>
        pattern.Length == path.Length && pattern.Zip(path).All(p => GlobPattern.IsMatch(p.First, p.Second));

    public static MemoryFiles Of(params (string Path, string Text)[] files) => new(files.ToDictionary(f => f.Path, f => f.Text));
}
