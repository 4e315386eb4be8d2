using System.Globalization;
using System.Text.RegularExpressions;

namespace Router.Core.Setup;

/// <summary>
/// The first line of a file setup writes carries a hash of the rest, so a later run can tell its own untouched output
/// (safe to replace) from a file someone edited (kept unless --force). Not a security measure: FNV-1a is enough to
/// notice an edit, and needs no crypto library.
/// </summary>
public static partial class SetupHeader
{
    public static string Line(string command, string body) =>
        $"# Written by `{command}` (fnv1a64 {Hash(body)}): run it again to rewrite; once edited, setup keeps it unless --force.";

    /// <summary>Header + body, as written.</summary>
    public static string Compose(string command, string body) => Line(command, body) + "\n" + body;

    /// <summary>True when the text is a setup output nobody changed since.</summary>
    public static bool IsUnchangedOutput(string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var newline = text.IndexOf('\n');
        if (newline < 0) return false;
        var m = HeaderPattern().Match(text[..newline]);
        return m.Success && m.Groups[1].Value == Hash(text[(newline + 1)..]);
    }

    public static string Hash(string body)
    {
        var h = 0xcbf29ce484222325UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(body.Replace("\r\n", "\n", StringComparison.Ordinal)))
        {
            h ^= b;
            h *= 0x100000001b3UL;
        }
        return h.ToString("x16", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^# Written by `routerha setup [^`]+` \(fnv1a64 ([0-9a-f]{16})\)")]
    private static partial Regex HeaderPattern();
}
