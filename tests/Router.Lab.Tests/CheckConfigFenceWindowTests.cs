using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>`routerha check-config` on a fence window too short for a hung peer: valid (exit 0), with a warning naming the figures.</summary>
[Collection(LabCollection.Name)]
public sealed class CheckConfigFenceWindowTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory($"{LabRun.Prefix}-fw-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CommandResult CheckConfig(string fenceWindow)
    {
        var path = Path.Combine(_dir, "routerha");
        File.WriteAllText(path, $"""
            config global
            	option watchdog '10'
            	option term_timeout '15'
            	option respawn_delay '5'

            config instance 'lan'
            	option interface 'br-lan'
            	option vrid '51'
            	list vip '192.168.1.254/24'

            config action 'vpn'
            	option kind 'openwrt_glorytun'
            	option timeout '5'
            	option retries '1'
            	option retry_delay '2'

            config peer 'router_b'
            	list path 'lan 192.168.1.1 192.168.1.2'
            	option secret 'a test secret that is long enough 0123456789'
            	option fence_window '{fenceWindow}'

            """);
        return Shell.Run(RouterHaBinary.Require(), "check-config", "-c", path);
    }

    [Fact]
    public void AShortFenceWindowIsValidButWarnedWithWatchdogKillRespawnAndStopFigures()
    {
        var r = CheckConfig("15");
        Assert.True(r.Ok, r.StdErr);
        // stop: 5 s x 2 attempts + 2 s retry delay = 12 s.
        Assert.Contains("warning: peer 'router_b': fence_window 15 s is shorter than", r.StdErr);
        Assert.Contains("watchdog 10 s + kill 15 s + respawn 5 s + stop 12 s = 42 s", r.StdErr);
    }

    [Fact]
    public void AFenceWindowLongEnoughIsNotWarned()
    {
        var r = CheckConfig("42");
        Assert.True(r.Ok, r.StdErr);
        Assert.DoesNotContain("warning", r.StdErr);
    }
}
