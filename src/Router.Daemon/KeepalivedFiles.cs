using Router.Core.Import;

namespace Router.Daemon;

/// <summary>The real file system behind the keepalived importer: reading files and expanding include globs.</summary>
internal sealed class KeepalivedFiles : IKeepalivedFiles
{
    public string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public IReadOnlyList<string> Expand(string pattern)
    {
        var parts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var found = new List<string> { "/" };
        foreach (var part in parts)
        {
            var next = new List<string>();
            foreach (var dir in found)
            {
                if (!GlobPattern.HasWildcard(part))
                {
                    var path = Path.Combine(dir, part);
                    if (File.Exists(path) || Directory.Exists(path)) next.Add(path);
                    continue;
                }
                try
                {
                    next.AddRange(Directory.EnumerateFileSystemEntries(dir)
                        .Where(e => GlobPattern.IsMatch(part, Path.GetFileName(e))));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            found = next;
        }
        return found.Where(File.Exists).Order(StringComparer.Ordinal).ToList();
    }
}
