using System.Net;
using Router.Core.Config;
using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

public class PeerConfigTests
{
    /// <summary>A valid instance on lines 1-4, then the given lines from line 5.</summary>
    private static string With(params string[] lines) =>
        string.Join("\n", ["config instance 'lan'", "\toption interface 'br-lan'", "\toption vrid '51'", "\tlist vip '192.168.1.254/24'", .. lines]) + "\n";

    private const string Secret = "0123456789abcdef0123456789ABCDEF";

    [Fact]
    public void AFullPeerSectionLoads()
    {
        var c = LoadOk(With(
            "config peer 'router_b'",
            "\tlist path 'lan 192.168.1.1 192.168.1.2'",
            "\tlist path 'link 10.99.0.1 10.99.0.2'",
            "\toption port '7500'",
            "\toption secret_file '/etc/routerha/peer.key'",
            "\toption heartbeat_interval '0.5'",
            "\toption dead_interval '2'",
            "\toption fence_window '20'"));
        var p = Assert.Single(c.Peers);
        Assert.Equal("router_b", p.Name);
        Assert.Equal(5, p.Line);
        Assert.Equal([new PeerPathConfig("lan", IPAddress.Parse("192.168.1.1"), IPAddress.Parse("192.168.1.2")),
            new PeerPathConfig("link", IPAddress.Parse("10.99.0.1"), IPAddress.Parse("10.99.0.2"))], p.Paths);
        Assert.Equal(7500, p.Port);
        Assert.Equal("/etc/routerha/peer.key", p.SecretFile);
        Assert.Null(p.Secret);
        Assert.Equal(TimeSpan.FromSeconds(0.5), p.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), p.DeadInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), p.FenceWindow);
    }

    [Fact]
    public void DefaultsAndAnInlineSecretThatNeverShowsInToString()
    {
        var p = Assert.Single(LoadOk(With("config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", $"\toption secret '{Secret}'")).Peers);
        Assert.Equal(7405, p.Port);
        Assert.Equal(TimeSpan.FromSeconds(1), p.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), p.DeadInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), p.FenceWindow);
        Assert.Equal(Secret, p.Secret);
        Assert.DoesNotContain(Secret, p.ToString());
        Assert.Contains("lan 192.168.1.1 -> 192.168.1.2", p.ToString());
    }

    [Fact]
    public void SubSecondHeartbeatsForFastPeerDeathDetectionLoadAndADeadIntervalTooCloseIsRefused()
    {
        var p = Assert.Single(LoadOk(With("config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", $"\toption secret '{Secret}'",
            "\toption heartbeat_interval '0.1'", "\toption dead_interval '0.3'", "\toption fence_window '2.5'")).Peers);
        Assert.Equal(TimeSpan.FromMilliseconds(100), p.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(300), p.DeadInterval);

        var (_, errors) = Load(With("config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", $"\toption secret '{Secret}'",
            "\toption heartbeat_interval '0.1'", "\toption dead_interval '0.15'"));
        Assert.Contains(errors, e => e.Line == 9 && e.Message.Contains("at least twice heartbeat_interval"));
    }

    [Fact]
    public void AFenceCommandLoadsWithItsTimeoutAndNoneByDefault()
    {
        var peer = With("config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", $"\toption secret '{Secret}'");
        var none = Assert.Single(LoadOk(peer).Peers);
        Assert.Null(none.FenceCommand);
        var p = Assert.Single(LoadOk(peer + "\toption fence_command '/usr/bin/ssh -i /etc/routerha/fence.key root@192.168.1.2 \"/etc/init.d/glorytun stop\"'\n").Peers);
        Assert.Equal("/usr/bin/ssh -i /etc/routerha/fence.key root@192.168.1.2 \"/etc/init.d/glorytun stop\"", p.FenceCommand);
        Assert.Equal(TimeSpan.FromSeconds(10), p.FenceTimeout);
        var quick = Assert.Single(LoadOk(peer + "\toption fence_command '/bin/true'\n\toption fence_timeout '2.5'\n").Peers);
        Assert.Equal(TimeSpan.FromSeconds(2.5), quick.FenceTimeout);
        // A short window without an explicit timeout: the agent gets half of it, so it can still beat the window.
        var shortWindow = Assert.Single(LoadOk(peer + "\toption fence_command '/bin/true'\n\toption fence_window '6'\n").Peers);
        Assert.Equal(TimeSpan.FromSeconds(3), shortWindow.FenceTimeout);
    }

    [Fact]
    public void NoPeerSectionMeansNoPeers()
    {
        Assert.Empty(LoadOk(With()).Peers);
    }

    [Theory]
    [InlineData("\tlist path 'lan 192.168.1.1'", 6, "must be 'NAME OUR_ADDRESS PEER_ADDRESS'")]
    [InlineData("\tlist path 'lan 192.168.1.1 192.168.1.300'", 6, "'192.168.1.300' is not an IP address")]
    [InlineData("\tlist path 'lan 192.168.1.1 fd00::2'", 6, "different address families")]
    [InlineData("\tlist path 'la-n 192.168.1.1 192.168.1.2'", 6, "path name 'la-n' may contain only")]
    [InlineData("\toption secret 'short'", 6, "the secret is 5 characters, at least 32 are required; use a random key: routerha genkey")]
    [InlineData("\toption secret_file 'peer.key'", 6, "secret_file 'peer.key' must be an absolute path")]
    [InlineData("\toption port '70000'", 6, "port 70000 out of range 1..65535")]
    [InlineData("\toption dead_interval '1.5'", 6, "dead_interval must be at least twice heartbeat_interval (1 s)")]
    [InlineData("\toption fence_window '2'", 6, "fence_window must be longer than dead_interval (3 s)")]
    [InlineData("\toption fence_windw '20'", 6, "did you mean 'fence_window'?")]
    [InlineData("\toption fence_command 'ssh root@b /etc/init.d/glorytun stop'", 6, "fence_command 'ssh root@b /etc/init.d/glorytun stop' must start with an absolute path")]
    [InlineData("\toption fence_timeout '5'", 6, "fence_timeout without fence_command")]
    [InlineData("\toption fence_command '/bin/true'\n\toption fence_timeout '15'", 7, "fence_timeout must be shorter than fence_window (15 s)")]
    [InlineData("\toption fence_command '/bin/true'\n\toption fence_timeout '0'", 7, "fence_timeout 0 out of range 0.1..3600 seconds")]
    [InlineData("\toption fence_comand '/bin/true'", 6, "did you mean 'fence_command'?")]
    public void EachMistakeIsReportedAtItsLine(string line, int at, string message)
    {
        var secret = line.Contains("secret") ? [] : new[] { $"\toption secret '{Secret}'" };
        var path = line.Contains("list path") ? [] : new[] { "\tlist path 'lan 192.168.1.1 192.168.1.2'" };
        SingleError(With(["config peer 'b'", line, .. secret, .. path]), at, message);
    }

    [Fact]
    public void APeerNeedsPathsAndExactlyOneSecret()
    {
        SingleError(With("config peer 'b'", $"\toption secret '{Secret}'"), 5, "peer 'b': missing 'list path'");
        SingleError(With("config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'"), 5, "missing 'option secret_file'");
        SingleError(With("config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", $"\toption secret '{Secret}'",
            "\toption secret_file '/etc/k'"), 7, "either secret or secret_file, not both");
    }

    [Fact]
    public void TheSecretValueNeverAppearsInAnError()
    {
        var (_, errors) = Load(With("config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", "\toption secret 'hunter2'"));
        Assert.DoesNotContain(errors, e => e.Message.Contains("hunter2"));
    }

    [Fact]
    public void TwoPeersOnOneAddressAndPortAndDuplicateNamesAreRefused()
    {
        SingleError(With(
            "config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", $"\toption secret '{Secret}'",
            "config peer 'c'", "\tlist path 'lan 192.168.1.1 192.168.1.3'", $"\toption secret '{Secret}'"),
            9, "192.168.1.1 port 7405 is already used by peer 'b' (line 6)");
        SingleError(With(
            "config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", $"\toption secret '{Secret}'",
            "config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", "\toption port '7406'", $"\toption secret '{Secret}'"),
            8, "duplicate peer name 'b' (first at line 5)");
        SingleError(With(
            "config peer 'b'", "\tlist path 'lan 192.168.1.1 192.168.1.2'", "\tlist path 'lan 10.0.0.1 10.0.0.2'", $"\toption secret '{Secret}'"),
            7, "path 'lan' is listed twice");
    }
}
