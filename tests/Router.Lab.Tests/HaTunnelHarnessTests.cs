using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// The HA lab's stand-ins, proven without routerha: the single-client tunnel really refuses two clients (the second
/// pushes the first out, which the episode check flags), and the tunnel scripts and WAN behave as the actions need.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaTunnelHarnessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static CommandResult Run(HaTopology t, char router, string script) => t.Router(router).Exec(script);

    [Fact]
    public async Task SecondTunnelClientWithTheSameIdentityPushesTheFirstOut()
    {
        using var cts = LabAssert.Budget(60);
        using var t = HaTopology.Create();
        var vps = await OpenVpnServer.StartAsync(t, cts.Token);
        var a = OpenVpnClient.Create(t, vps, 'A');
        var b = OpenVpnClient.Create(t, vps, 'B');
        t.SetWan('A', up: true);
        t.SetWan('B', up: true);
        string Diag() => vps.Diagnostics() + $"\n--- A:\n{a.LogTail()}\n--- B:\n{b.LogTail()}";

        var episodeStart = DateTimeOffset.UtcNow;
        Assert.True(Run(t, 'A', a.StartScript).Ok);
        await Wait.UntilAsync(() => vps.Current?.Router == "A", Bound, "A's session at the VPS", Diag, cts.Token);
        Assert.True(Run(t, 'B', b.StartScript).Ok);
        await Wait.UntilAsync(() => vps.ReplacedSessions >= 1 && vps.Sessions().Any(s => s.Router == "B"), Bound, "B to push A out", Diag, cts.Token);
        // A's client reconnects and pushes B out in turn: two clients = no stable tunnel for either.
        await Wait.UntilAsync(() => vps.Sessions().Count(s => s.Router == "A") >= 2, Bound, "A to come back and push B out", Diag, cts.Token);

        var violations = TunnelEpisodes.Violations(vps.Sessions(), [new TunnelEpisode("both clients", episodeStart, "A")]);
        Assert.Single(violations);
        Assert.Contains("A and B", violations[0]);
        Assert.True(a.PushedOut >= 1, "the live client that was pushed out says so");

        Assert.True(Run(t, 'B', b.StopScript).Ok);
        Assert.False(b.IsRunning, "stop returns only when the client is gone");
        var settled = DateTimeOffset.UtcNow;
        await Wait.UntilAsync(() => vps.Current?.Router == "A", Bound, "A alone again", Diag, cts.Token);
        await Wait.HoldsAsync(() => vps.Current?.Router == "A", TimeSpan.FromSeconds(2), "A's session stays", Diag, cts.Token);
        Assert.Empty(TunnelEpisodes.Violations(vps.Sessions(), [new TunnelEpisode("A alone", settled, "A")]));
    }

    [Fact]
    public async Task TunnelScriptsNeedTheWanAreIdempotentAndTheVpsRecordsTheSession()
    {
        using var cts = LabAssert.Budget(60);
        using var t = HaTopology.Create();
        var vps = await OpenVpnServer.StartAsync(t, cts.Token);
        var a = OpenVpnClient.Create(t, vps, 'A');
        string Diag() => vps.Diagnostics() + $"\n--- A:\n{a.LogTail()}";

        Assert.False(t.WanIsUp('A'), "WAN starts down");
        Assert.False(t.WanIsUp('B'), "WAN starts down");
        Assert.False(Run(t, 'A', a.StartScript).Ok, "no tunnel without the WAN: the VPS is not routed");
        Assert.False(a.IsRunning);

        t.SetWan('A', up: true);
        var started = DateTimeOffset.UtcNow;
        Assert.True(Run(t, 'A', a.StartScript).Ok);
        var pid = a.Pid;
        Assert.NotNull(pid);
        Assert.True(Run(t, 'A', a.StartScript).Ok, "starting a running client is success");
        Assert.Equal(pid, a.Pid);
        await Wait.UntilAsync(() => vps.Current?.Router == "A", Bound, "A's session", Diag, cts.Token);
        // End to end through the tunnel, as a `ping` track bound to tun0 would check it.
        await Wait.UntilAsync(() => t.RouterA.Exec("ping", "-c", "1", "-W", "1", "-I", "tun0", OpenVpnServer.TunnelAddress.ToString()).Ok,
            Bound, "a ping through tun0", Diag, cts.Token);

        Assert.True(Run(t, 'A', a.StopScript).Ok);
        Assert.False(a.IsRunning);
        Assert.True(Run(t, 'A', a.StopScript).Ok, "stopping a stopped client is success");
        await Wait.UntilAsync(() => vps.Current is null, Bound, "the VPS to see the session end", Diag, cts.Token);
        var session = Assert.Single(vps.Sessions());
        Assert.Equal(HaTopology.WanAddress('A'), session.Address);
        Assert.InRange(session.Start, started, session.End!.Value);
        Assert.Equal(0, vps.ReplacedSessions);
        Assert.Equal(0, a.PushedOut);
    }
}
