using System.Globalization;
using System.Text;

namespace Router.Core.Text;

/// <summary>
/// Makes a string that came from outside (a network peer, a broker, a file) safe to put in a log line,
/// <c>status</c> or an MQTT payload: no control or format characters (a terminal escape, a newline forging a
/// second log line, a bidi override reversing what an operator reads) and a bounded length.
/// </summary>
public static class SafeText
{
    /// <summary>The default cap: long enough for any name, path or error text we produce ourselves.</summary>
    public const int DefaultMax = 200;

    /// <summary>
    /// Each control/format character becomes <c>?</c>; text longer than <paramref name="max"/> characters is cut
    /// and ends in "…(+N)" so a reader sees it was cut and by how much. Null stays null.
    /// </summary>
    public static string? Clean(string? text, int max = DefaultMax)
    {
        if (text is null) return null;
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (text.Length <= max && IsClean(text)) return text;
        var keep = Math.Min(text.Length, max);
        var sb = new StringBuilder(keep + 16);
        for (var i = 0; i < keep; i++) sb.Append(IsUnsafe(text[i]) ? '?' : text[i]);
        if (text.Length > max) sb.Append("…(+").Append((text.Length - max).ToString(CultureInfo.InvariantCulture)).Append(')');
        return sb.ToString();
    }

    /// <summary>The text with each character mapped. Instead of LINQ's Select over a string: every LINQ operator over
    /// char compiles its own iterator family into the binary (toolchain/README.md, "Size options").</summary>
    public static string Map(string text, Func<char, char> map)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++) chars[i] = map(chars[i]);
        return new string(chars);
    }

    /// <summary>Whether the text has no control or format character (its length is not judged).</summary>
    public static bool IsClean(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (IsUnsafe(c)) return false;
        return true;
    }

    // C0/C1 controls and DEL, Unicode format characters (bidi overrides, zero-width joiners), line/paragraph
    // separators and lone surrogates: none belongs in a one-line record.
    private static bool IsUnsafe(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control
        or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.Surrogate;
}
