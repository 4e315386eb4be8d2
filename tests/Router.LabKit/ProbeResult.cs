namespace Router.LabKit;

/// <summary>What the client saw: one entry per echo request on the grid, answered within Prober.LateLimit or not.</summary>
public sealed record ProbeResult(TimeSpan Interval, IReadOnlyList<bool> Answered)
{
    public int Sent => Answered.Count;

    /// <summary>The latest any request left against its slot.</summary>
    public double MaxLateMs { get; init; }

    /// <summary>Late by up to 50 ms blurs a gap by that much at most; a longer stall can hide a whole outage.</summary>
    public bool GridHeld => MaxLateMs < 50;
    public int Received => Answered.Count(a => a);
    public int Lost => Sent - Received;

    /// <summary>Longest run of consecutive unanswered requests.</summary>
    public int LongestMissingRun
    {
        get
        {
            int best = 0, run = 0;
            foreach (var a in Answered)
            {
                run = a ? 0 : run + 1;
                best = Math.Max(best, run);
            }
            return best;
        }
    }

    /// <summary>The client-visible outage: longest missing run times the grid interval.</summary>
    public double GapMs => LongestMissingRun * Interval.TotalMilliseconds;

    /// <summary>Run-length picture of the record, e.g. "40+ 36- 25+" (answered / missing).</summary>
    public string Runs
    {
        get
        {
            var parts = new List<string>();
            for (var i = 0; i < Answered.Count;)
            {
                var j = i;
                while (j < Answered.Count && Answered[j] == Answered[i]) j++;
                parts.Add($"{j - i}{(Answered[i] ? '+' : '-')}");
                i = j;
            }
            return string.Join(' ', parts);
        }
    }

    public override string ToString() =>
        $"sent {Sent}, lost {Lost}, longest gap {GapMs:0} ms ({LongestMissingRun} probes)";
}
