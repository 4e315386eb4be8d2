namespace Router.Core.Import;

/// <summary>glob(3) matching of one path component: <c>*</c>, <c>?</c> and <c>[...]</c> (with <c>!</c> or <c>^</c> and ranges).</summary>
public static class GlobPattern
{
    public static bool HasWildcard(string text) => text.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>As glob(3) without GLOB_PERIOD: a leading dot must be matched by a literal dot.</summary>
    public static bool IsMatch(string pattern, string name)
    {
        if (name.StartsWith('.') && !pattern.StartsWith('.')) return false;
        return Match(pattern, 0, name, 0);
    }

    private static bool Match(string p, int pi, string s, int si)
    {
        while (pi < p.Length)
        {
            var c = p[pi];
            if (c == '*')
            {
                for (var k = si; k <= s.Length; k++)
                    if (Match(p, pi + 1, s, k)) return true;
                return false;
            }
            if (si >= s.Length) return false;
            if (c == '?')
            {
                pi++;
                si++;
                continue;
            }
            if (c == '[' && Class(p, pi, s[si]) is { } next)
            {
                if (next < 0) return false;
                pi = next;
                si++;
                continue;
            }
            if (c != s[si]) return false;
            pi++;
            si++;
        }
        return si == s.Length;
    }

    /// <summary>Index after the class when it matches, -1 when it does not, null when '[' does not start a class.</summary>
    private static int? Class(string p, int start, char ch)
    {
        var i = start + 1;
        var negate = i < p.Length && p[i] is '!' or '^';
        if (negate) i++;
        var matched = false;
        var first = true;
        while (i < p.Length && (p[i] != ']' || first))
        {
            first = false;
            var lo = p[i];
            if (i + 2 < p.Length && p[i + 1] == '-' && p[i + 2] != ']')
            {
                if (ch >= lo && ch <= p[i + 2]) matched = true;
                i += 3;
            }
            else
            {
                if (ch == lo) matched = true;
                i++;
            }
        }
        if (i >= p.Length) return null;
        return matched != negate ? i + 1 : -1;
    }
}
