using System.Net;

namespace Router.Core.Vrrp;

/// <summary>What to tell about one ignored advert from an unknown source.</summary>
public enum UnknownMasterNews
{
    /// <summary>Counted only: its episode and its sender were reported already.</summary>
    None,
    /// <summary>The first after a quiet period: a new episode starts.</summary>
    NewEpisode,
    /// <summary>A sender not seen before in the running episode.</summary>
    NewSource,
}

/// <summary>
/// Counts the adverts an instance ignored because their sender is not a trusted source, and decides which are worth a
/// log line and an event: the first of an episode and each new sender within it (at most
/// <see cref="MaxSourcesPerEpisode"/>, so spoofed random sources cannot turn a flood into a log flood). An episode ends
/// after <see cref="QuietPeriod"/> without such an advert. Pure: the caller passes the time.
/// </summary>
public sealed class UnknownMasterWatch
{
    /// <summary>Long against an attacker's resend interval (a forged master must advertise every few seconds to hold
    /// anyone off), short enough that a new attack a minute later is reported again.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(60);
    public const int MaxSourcesPerEpisode = 4;

    private readonly List<IPAddress> _sources = new(MaxSourcesPerEpisode);
    private TimeSpan? _lastAt;

    /// <summary>Every ignored advert since start.</summary>
    public long Count { get; private set; }
    /// <summary>Episodes since start.</summary>
    public long Episodes { get; private set; }
    /// <summary>Ignored adverts in the running (or last) episode.</summary>
    public long EpisodeCount { get; private set; }
    /// <summary>The sender of the latest ignored advert; null before the first.</summary>
    public IPAddress? LastSource { get; private set; }

    public UnknownMasterNews Observe(IPAddress source, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(source);
        Count++;
        LastSource = source;
        var news = UnknownMasterNews.None;
        if (_lastAt is not { } last || now - last >= QuietPeriod)
        {
            Episodes++;
            EpisodeCount = 0;
            _sources.Clear();
            _sources.Add(source);
            news = UnknownMasterNews.NewEpisode;
        }
        else if (_sources.Count < MaxSourcesPerEpisode && !_sources.Contains(source))
        {
            _sources.Add(source);
            news = UnknownMasterNews.NewSource;
        }
        EpisodeCount++;
        _lastAt = now;
        return news;
    }
}
