using Router.Core.Config;

namespace Router.Core.Setup;

/// <summary>
/// Some of a router's /etc/config files, parsed (a missing file is null). Lookups follow uci: a repeated option's
/// last value wins, and a section named twice is one section.
/// </summary>
public sealed record UciTree(UciDocument? Network, UciDocument? Dhcp, UciDocument? Omr, UciDocument? Firewall)
{
    public static IEnumerable<UciSection> OfType(UciDocument? doc, string type) =>
        doc is null ? [] : doc.Sections.Where(s => s.Type == type);

    public static UciSection? Named(UciDocument? doc, string type, string name) =>
        OfType(doc, type).LastOrDefault(s => s.Name == name);

    public static UciOption? Get(UciSection? s, string option) =>
        s?.Options.LastOrDefault(o => o.Name == option && !o.IsList);

    public static string? Value(UciSection? s, string option) => Get(s, option)?.Value;

    /// <summary>A list's entries, or an option's space-separated words (uci treats `option network 'wan1 wan2'` alike).</summary>
    public static IEnumerable<UciOption> Words(UciSection? s, string option)
    {
        if (s is null) yield break;
        foreach (var o in s.Options.Where(o => o.Name == option))
        {
            if (o.IsList) yield return o;
            else
                foreach (var w in o.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    yield return o with { Value = w };
        }
    }
}
