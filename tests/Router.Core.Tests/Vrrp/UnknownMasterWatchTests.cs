using System.Net;
using Router.Core.Vrrp;

namespace Router.Core.Tests.Vrrp;

public class UnknownMasterWatchTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.168.1.66");
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void AnAttackerResendingEverySecondIsReportedOnceAndCountedEveryTime()
    {
        var watch = new UnknownMasterWatch();
        var news = Enumerable.Range(0, 120).Select(i => watch.Observe(Attacker, S(i))).ToList();
        Assert.Equal(UnknownMasterNews.NewEpisode, news[0]);
        Assert.All(news.Skip(1), n => Assert.Equal(UnknownMasterNews.None, n));
        Assert.Equal(120, watch.Count);
        Assert.Equal(1, watch.Episodes);
        Assert.Equal(Attacker, watch.LastSource);
    }

    [Fact]
    public void AQuietPeriodEndsTheEpisodeAndTheNextAttackIsReportedAgain()
    {
        var watch = new UnknownMasterWatch();
        watch.Observe(Attacker, S(0));
        Assert.Equal(UnknownMasterNews.None, watch.Observe(Attacker, S(59)));
        Assert.Equal(UnknownMasterNews.NewEpisode, watch.Observe(Attacker, S(59) + UnknownMasterWatch.QuietPeriod));
        Assert.Equal(2, watch.Episodes);
        Assert.Equal(1, watch.EpisodeCount);
        Assert.Equal(3, watch.Count);
    }

    [Fact]
    public void ANewSenderWithinAnEpisodeIsReportedButSpoofedFloodsAreBounded()
    {
        var watch = new UnknownMasterWatch();
        Assert.Equal(UnknownMasterNews.NewEpisode, watch.Observe(Attacker, S(0)));
        var second = IPAddress.Parse("192.168.1.67");
        Assert.Equal(UnknownMasterNews.NewSource, watch.Observe(second, S(0.1)));
        Assert.Equal(UnknownMasterNews.None, watch.Observe(second, S(0.2)));

        // A thousand spoofed senders: only the first few are worth a line each.
        var reported = Enumerable.Range(0, 1000)
            .Count(i => watch.Observe(new IPAddress([10, 0, (byte)(i / 256), (byte)i]), S(1 + i * 0.001)) != UnknownMasterNews.None);
        Assert.Equal(UnknownMasterWatch.MaxSourcesPerEpisode - 2, reported);
        Assert.Equal(1003, watch.Count);
    }
}
