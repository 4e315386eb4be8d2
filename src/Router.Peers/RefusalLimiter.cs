using System.Net;

namespace Router.Peers;

/// <summary>
/// Decides which refusals are worth an event (and so a log line): the first from a source address, then at most one
/// per period from it, carrying the count of those held back. A flood from one host thus costs one line per period;
/// a flood from many hosts is bounded by <c>maxSources</c>: a new source beyond it is held back until older sources'
/// periods end. Every refusal is counted elsewhere whether raised or not. Not thread-safe; the clock is the caller's.
/// </summary>
internal sealed class RefusalLimiter(TimeSpan period, int maxSources = 256)
{
    private readonly Dictionary<IPAddress, (TimeSpan Since, long Held)> _sources = [];

    /// <summary>Whether to raise this refusal now; when so, <paramref name="held"/> is how many from the same source were
    /// held back since the last one raised.</summary>
    public bool Admit(IPAddress? source, TimeSpan now, out long held)
    {
        var key = source ?? IPAddress.None;
        if (_sources.TryGetValue(key, out var s) && now - s.Since < period)
        {
            _sources[key] = (s.Since, s.Held + 1);
            held = 0;
            return false;
        }
        if (!_sources.ContainsKey(key) && _sources.Count >= maxSources)
        {
            // A loop, not LINQ over the value-tuple pairs (binary size: toolchain/README.md, "Size options").
            var ended = new List<IPAddress>();
            foreach (var (address, entry) in _sources)
            {
                if (now - entry.Since >= period) ended.Add(address);
            }
            foreach (var old in ended) _sources.Remove(old);
            if (_sources.Count >= maxSources)
            {
                held = 0;
                return false;
            }
        }
        held = s.Held;
        _sources[key] = (now, 0);
        return true;
    }
}
