using System.Text;

namespace Router.Core.Import;

/// <summary>
/// Builds /etc/config/routerha text and remembers, for each line written, which keepalived line it came from, so
/// a problem the config loader finds in the result can be reported at the user's own file and line.
/// </summary>
internal sealed class UciWriter
{
    private readonly StringBuilder _text = new();
    private readonly List<KeepalivedNode?> _origins = [null];

    public void Comment(string text) => Line($"# {text}", null);

    public void Blank() => Line("", null);

    public void Section(string type, string? name, KeepalivedNode? origin)
    {
        if (_text.Length > 0) Blank();
        Line(name is null ? $"config {type}" : $"config {type} {Quote(name)}", origin);
    }

    public void Option(string name, string value, KeepalivedNode? origin) => Line($"\toption {name} {Quote(value)}", origin);

    public void List(string name, string value, KeepalivedNode? origin) => Line($"\tlist {name} {Quote(value)}", origin);

    /// <summary>The keepalived statement behind output line N (1-based), if any.</summary>
    public KeepalivedNode? OriginOf(int line) => line > 0 && line < _origins.Count ? _origins[line] : null;

    public override string ToString() => _text.ToString();

    private void Line(string text, KeepalivedNode? origin)
    {
        _text.Append(text).Append('\n');
        _origins.Add(origin);
    }

    /// <summary>Single quotes take everything literally; a quote inside is closed, escaped, and reopened.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
