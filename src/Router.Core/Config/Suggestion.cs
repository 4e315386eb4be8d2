namespace Router.Core.Config;

/// <summary>"did you mean" for misspelt names: the closest known name by edit distance, if close enough.</summary>
internal static class Suggestion
{
    public static string? Closest(string typed, IEnumerable<string> known)
    {
        // An abbreviation ("warn" for "warning") is the likeliest intent, however far by edits.
        if (typed.Length >= 3 && known.FirstOrDefault(k => k.StartsWith(typed, StringComparison.OrdinalIgnoreCase)) is { } expanded)
            return expanded;
        // The distance is at least the difference in length: a name no known one can be within reach of gets no
        // suggestion without the length x length table (a 2 MB value once cost 287 MB here).
        if (!known.Any(k => Math.Abs(typed.Length - k.Length) <= Allowed(k)))
            return null;
        var lower = typed.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            if (Math.Abs(lower.Length - k.Length) >= bestDistance) continue;
            var d = Distance(lower, k);
            if (d < bestDistance) { best = k; bestDistance = d; }
        }
        return best is not null && bestDistance <= Allowed(best) ? best : null;
    }

    /// <summary>Short names tolerate one slip; longer ones two, or a third of their length.</summary>
    private static int Allowed(string known) => Math.Max(known.Length <= 4 ? 1 : 2, known.Length / 3);

    /// <summary>" (did you mean 'x'?)" or "".</summary>
    public static string Hint(string typed, IEnumerable<string> known)
        => Closest(typed, known) is { } s ? $" (did you mean '{s}'?)" : "";

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
