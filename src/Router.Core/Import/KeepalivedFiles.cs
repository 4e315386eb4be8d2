namespace Router.Core.Import;

/// <summary>
/// The importer's only window on the file system, so parsing and mapping stay pure (tests hand it a dictionary).
/// Paths given to it are absolute.
/// </summary>
public interface IKeepalivedFiles
{
    /// <summary>The file's text, or null when it cannot be read (absent, a directory, no permission).</summary>
    string? Read(string path);

    /// <summary>The files a glob pattern (<c>*</c>, <c>?</c>, <c>[...]</c>) matches, sorted as glob(3) sorts them.</summary>
    IReadOnlyList<string> Expand(string pattern);
}
