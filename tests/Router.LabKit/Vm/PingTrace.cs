using System.Globalization;
using System.Text.RegularExpressions;

namespace Router.LabKit.Vm;

/// <summary>busybox ping's replies (`seq=N`) at a fixed interval: the longest stretch without a reply.</summary>
public sealed partial class PingTrace
{
    public IReadOnlyList<int> Replies { get; }
    public TimeSpan Interval { get; }

    public PingTrace(string output, TimeSpan interval)
    {
        Interval = interval;
        Replies = SeqRegex().Matches(output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Distinct().Order().ToList();
    }

    /// <summary>The largest step between consecutive replied sequence numbers (1 = no loss).</summary>
    public int LongestStep => Replies.Count < 2 ? 0 : Replies.Zip(Replies.Skip(1), (a, b) => b - a).Max();

    /// <summary>
    /// The client-visible gap, rounded up to the probe grid: from the last reply before the outage to the
    /// first one after it (the real gap is up to one interval shorter).
    /// </summary>
    public TimeSpan Gap => LongestStep * Interval;

    /// <summary>Replies after the longest gap (so the path is back, not a lucky probe).</summary>
    public int RepliesAfterGap
    {
        get
        {
            if (Replies.Count < 2) return 0;
            var steps = Replies.Zip(Replies.Skip(1), (a, b) => b - a).ToList();
            var at = steps.IndexOf(steps.Max());
            return Replies.Count - (at + 1);
        }
    }

    [GeneratedRegex(@"seq=(\d+) ttl=")]
    private static partial Regex SeqRegex();
}
