using System.Net;
using Router.Peers;

namespace Router.Peers.Tests;

public class RefusalLimiterTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    [Fact]
    public void OneReportPerSourceAndPeriodCarryingWhatWasHeldBack()
    {
        var limiter = new RefusalLimiter(Period);
        var x = IPAddress.Parse("10.0.0.9");
        var y = IPAddress.Parse("10.0.0.10");
        Assert.True(limiter.Admit(x, TimeSpan.Zero, out var held));
        Assert.Equal(0, held);
        for (var i = 1; i <= 500; i++) Assert.False(limiter.Admit(x, TimeSpan.FromMilliseconds(i), out _));
        Assert.True(limiter.Admit(y, TimeSpan.FromSeconds(1), out _));
        Assert.False(limiter.Admit(x, TimeSpan.FromSeconds(9.9), out _));
        Assert.True(limiter.Admit(x, TimeSpan.FromSeconds(10), out held));
        Assert.Equal(501, held);
    }

    [Fact]
    public void ManySourcesCannotGrowItBeyondItsBound()
    {
        var limiter = new RefusalLimiter(Period, maxSources: 4);
        var admitted = Enumerable.Range(1, 100).Count(i => limiter.Admit(IPAddress.Parse($"10.0.1.{i}"), TimeSpan.FromSeconds(1), out _));
        Assert.Equal(4, admitted);
        // Once their period is over, room is made for new sources.
        Assert.True(limiter.Admit(IPAddress.Parse("10.0.2.1"), TimeSpan.FromSeconds(12), out _));
    }
}
