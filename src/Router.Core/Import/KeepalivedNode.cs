namespace Router.Core.Import;

/// <summary>
/// One keepalived statement: its keyword, the words after it, and the statements of its <c>{ }</c> block (null
/// without one). File and line point at the keyword, for <c>FILE:LINE:</c> messages.
/// </summary>
public sealed record KeepalivedNode(string Keyword, IReadOnlyList<string> Args, IReadOnlyList<KeepalivedNode>? Block, string File, int Line)
{
    public string Where => $"{File}:{Line}";

    /// <summary>The first child with this keyword, or null.</summary>
    public KeepalivedNode? Child(string keyword) => Block?.FirstOrDefault(n => n.Keyword == keyword);

    public string? Arg(int i) => i < Args.Count ? Args[i] : null;
}

/// <summary>A message for the user at a place in the source; Important ones make the import exit 1 (unless --force).</summary>
public sealed record ImportNote(string File, int Line, string Message, bool Important)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}
