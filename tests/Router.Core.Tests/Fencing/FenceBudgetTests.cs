using Router.Core.Config;
using Router.Core.Fencing;
using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Fencing;

/// <summary>check-config's rule: a peer's fence_window must outlast how long a hung peer may hold its fenced actions.</summary>
public class FenceBudgetTests
{
    private static string Config(string global, string fenceWindow, params string[] actions) =>
        string.Join("\n", [
            "config global", .. global.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            "config instance 'lan'", "\toption interface 'br-lan'", "\toption vrid '51'", "\tlist vip '192.168.1.254/24'",
            "config peer 'router_b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", "\toption secret 'a test secret that is long enough 0123456789'",
            $"\toption fence_window '{fenceWindow}'",
            .. actions]) + "\n";

    private const string Tunnel = "config action 'vpn'\n\toption kind 'openwrt_glorytun'";

    [Fact]
    public void GlobalSupervisionOptionsLoadAsWholeSecondsWithProcdDefaults()
    {
        var defaults = LoadOk(Config("", "15")).Global;
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)),
            (defaults.Watchdog, defaults.RespawnDelay, defaults.TermTimeout));
        var set = LoadOk(Config("\toption watchdog '0'\n\toption respawn_delay '2'\n\toption term_timeout '3'", "15")).Global;
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)), (set.Watchdog, set.RespawnDelay, set.TermTimeout));
        SingleError(Config("\toption watchdog '2.5'", "15"), 2, "watchdog '2.5' is not a whole number (0..3600)");
    }

    [Fact]
    public void StopTimeoutIsEveryAttemptTimingOutPlusTheDoublingRetryDelays()
    {
        // timeout x (retries + 1) + retry_delay x (1 + 2 + 4): 2 x 4 + 0.5 x 7 = 11.5 s.
        var action = new ActionConfig { Name = "vpn", Kind = ActionKind.Command, Order = 30, Timeout = TimeSpan.FromSeconds(2), Retries = 3, RetryDelay = TimeSpan.FromSeconds(0.5) };
        Assert.Equal(TimeSpan.FromSeconds(11.5), FenceBudget.StopTimeout(action));
        // The glorytun defaults: 10 s x 3 + 1 + 2.
        Assert.Equal(TimeSpan.FromSeconds(33), FenceBudget.StopTimeout(action with { Timeout = TimeSpan.FromSeconds(10), Retries = 2, RetryDelay = TimeSpan.FromSeconds(1) }));
    }

    [Fact]
    public void AWindowShorterThanWatchdogKillRespawnAndStopIsWarnedWithTheFigures()
    {
        var config = LoadOk(Config("\toption watchdog '4'\n\toption term_timeout '3'\n\toption respawn_delay '2'", "12",
            Tunnel, "\toption timeout '1'", "\toption retries '1'", "\toption retry_delay '1'",
            "config action 'wan'", "\toption kind 'openwrt_wan'", "\tlist interface 'wan'", "\toption fenced '0'"));
        var budget = FenceBudget.Of(config);
        // Only the fenced tunnel counts (1 x 2 + 1 = 3 s); a WAN with fenced 0 does not hold anything the peer waits for.
        Assert.Equal("watchdog 4 s + kill 3 s + respawn 2 s + stop 3 s = 12 s", budget.Explain());
        Assert.Empty(FenceBudget.Warnings(config));

        var shorter = LoadOk(Config("\toption watchdog '4'\n\toption term_timeout '3'\n\toption respawn_delay '2'", "11.5",
            Tunnel, "\toption timeout '1'", "\toption retries '1'", "\toption retry_delay '1'"));
        var warning = Assert.Single(FenceBudget.Warnings(shorter));
        Assert.Contains("peer 'router_b': fence_window 11.5 s is shorter than", warning);
        Assert.Contains("watchdog 4 s + kill 3 s + respawn 2 s + stop 3 s = 12 s", warning);
        Assert.Contains("raise fence_window to at least 12 s", warning);
    }

    [Fact]
    public void NoWatchdogIsWarnedBecauseNoWindowCoversAHang()
    {
        var config = LoadOk(Config("\toption watchdog '0'", "3600", Tunnel));
        Assert.Contains(FenceBudget.Warnings(config), w => w.StartsWith("watchdog is 0 (off)", StringComparison.Ordinal));
    }

    [Fact]
    public void NothingIsWarnedWithoutFencedActions() =>
        Assert.Empty(FenceBudget.Warnings(LoadOk(Config("", "4"))));
}
