using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// The master's daemon under a systemd-style watchdog (<see cref="SystemdSupervisorStandIn"/>, modelled on
/// dist/systemd/routerha.service): hung with SIGSTOP, killed and restarted, killed for good. Judged from outside: the
/// VPS's session ledger, both routers' `wan0` state and tunnel client processes (<see cref="UplinkOverlapSampler"/>). The WAN
/// is fenced here (OMR: both WANs up at once is an address conflict) and preempt is off, so B keeps what it took.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaWatchdogTests(ITestOutputHelper output)
{
    private static readonly TimeSpan WatchdogSec = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RestartSec = TimeSpan.FromSeconds(0.5);

    private static readonly HaLabOptions Options = new()
    {
        FencedWan = true,
        Preempt = false,
        // Outlasts watchdog 1 s + kill (SIGKILL, at once) + RestartSec 0.5 s + the restarted daemon's start and boot
        // stop (about 1 s here); check-config's bound with the lab's generous action retries is far longer.
        FenceWindow = TimeSpan.FromSeconds(4),
        GlobalUci = "\toption watchdog '1'\n\toption respawn_delay '1'\n\toption term_timeout '1'\n",
    };

    private static async Task<SystemdSupervisorStandIn> StartSupervisedAsync(HaLab lab, bool restart, CancellationToken ct)
    {
        var supervisor = new SystemdSupervisorStandIn(lab.A, lab.Topology.WorkDir, WatchdogSec, RestartSec, restart);
        // B only once A is MASTER: without preempt, whoever is MASTER first stays so.
        supervisor.Start();
        await lab.A.WaitForStateAsync("MASTER", lab.SettleTimeout, ct);
        lab.B.Start();
        await lab.B.WaitForStateAsync("BACKUP", lab.SettleTimeout, ct);
        await lab.WaitHoldsUplinksAsync('A', lab.SettleTimeout, ct);
        await Wait.UntilAsync(() => supervisor.FirstAt("ready", DateTimeOffset.MinValue) is not null, lab.SettleTimeout,
            "A's READY=1", () => supervisor.Diagnostics() + "\n" + lab.Diagnostics(), ct);
        return supervisor;
    }

    private void Report(string scenario, DateTimeOffset from, HaLab lab, SystemdSupervisorStandIn supervisor, UplinkOverlapSampler sampler)
    {
        var bTunnel = lab.Vps.Sessions().FirstOrDefault(s => s.Router == "B" && s.Start >= from);
        var kill = supervisor.Events.FirstOrDefault(e => e.At >= from && e.What is "killed" or "exited 137");
        output.WriteLine($"{scenario}: supervisor {supervisor.Diagnostics()}");
        output.WriteLine($"{scenario}: A gone after {(kill.At == default ? "-" : $"{(kill.At - from).TotalSeconds:0.000} s")}, " +
                         $"B's tunnel session at +{(bTunnel is null ? "-" : $"{(bTunnel.Start - from).TotalSeconds:0.000} s")}, " +
                         $"both WANs up {sampler.BothWans.TotalSeconds:0.000} s, both tunnel clients {sampler.BothTunnelClients.TotalSeconds:0.000} s, " +
                         $"VPS sessions overlapping {UplinkOverlapSampler.SessionOverlap(lab.Vps.Sessions()).TotalSeconds:0.000} s ({sampler.Samples} samples)");
    }

    [Fact]
    public async Task HungMasterDaemonIsKilledByTheWatchdogStandInAndThePeerTakesOverWithNeverTwoTunnels()
    {
        using var cts = LabAssert.Budget(90);
        using var lab = await HaLab.CreateAsync(Options, cts.Token);
        using var supervisor = await StartSupervisedAsync(lab, restart: true, cts.Token);
        var start = DateTimeOffset.UtcNow;
        var hungPid = lab.A.Pid;
        using var sampler = new UplinkOverlapSampler(lab);

        var hang = DateTimeOffset.UtcNow;
        lab.A.Freeze();
        await lab.B.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('B', lab.FencedTakeoverTimeout, cts.Token);
        // The restarted daemon is BACKUP (no preempt) and holds nothing: its boot released the WAN the hung one held.
        await lab.A.WaitForStateAsync("BACKUP", lab.SettleTimeout, cts.Token);
        await Wait.HoldsAsync(() => lab.HoldsUplinks('B'), TimeSpan.FromSeconds(1), "B alone with WAN and tunnel", lab.Diagnostics, cts.Token);
        Report("SIGSTOP", hang, lab, supervisor, sampler);

        var timeout = supervisor.FirstAt("watchdog timeout", hang);
        HaAssert.True(timeout is { } t && t - hang >= WatchdogSec - TimeSpan.FromMilliseconds(600),
            $"the watchdog expired {(timeout - hang)?.TotalMilliseconds:0} ms after the hang: pings did not stop with the loop\n{supervisor.Diagnostics()}", lab);
        HaAssert.True(lab.A.Pid != hungPid && supervisor.FirstAt("ready", hang) is not null,
            $"A was not restarted to READY\n{supervisor.Diagnostics()}", lab);
        // The restarted daemon says "released" only once its boot plan has stopped the WAN the hung one held.
        HaAssert.True(sampler.BothWans == TimeSpan.Zero, $"both WANs were up for {sampler.BothWans.TotalMilliseconds:0} ms", lab);
        HaAssert.True(sampler.BothTunnelClients == TimeSpan.Zero, $"both tunnel clients ran for {sampler.BothTunnelClients.TotalMilliseconds:0} ms", lab);
        HaAssert.True(UplinkOverlapSampler.SessionOverlap(lab.Vps.Sessions()) == TimeSpan.Zero, "the VPS saw both routers' sessions at once", lab);
        HaAssert.OneRouterPerEpisode(lab, [new TunnelEpisode("A master", start, "A"), new TunnelEpisode("A hung", hang, "B")]);
    }

    [Fact]
    public async Task KilledMasterDaemonIsRestartedAndThePeerTakesOverWithNeverTwoTunnels()
    {
        using var cts = LabAssert.Budget(90);
        using var lab = await HaLab.CreateAsync(Options, cts.Token);
        using var supervisor = await StartSupervisedAsync(lab, restart: true, cts.Token);
        var start = DateTimeOffset.UtcNow;
        using var sampler = new UplinkOverlapSampler(lab);

        var kill = DateTimeOffset.UtcNow;
        lab.A.Kill9();
        await lab.WaitHoldsUplinksAsync('B', lab.FencedTakeoverTimeout, cts.Token);
        await Wait.UntilAsync(() => supervisor.FirstAt("ready", kill) is not null, lab.SettleTimeout, "A restarted to READY",
            () => supervisor.Diagnostics() + "\n" + lab.Diagnostics(), cts.Token);
        await lab.A.WaitForStateAsync("BACKUP", lab.SettleTimeout, cts.Token);
        await Wait.HoldsAsync(() => lab.HoldsUplinks('B'), TimeSpan.FromSeconds(1), "B alone with WAN and tunnel", lab.Diagnostics, cts.Token);
        Report("kill -9, restart", kill, lab, supervisor, sampler);

        // The restarted daemon reports its fenced actions as stopping until its boot plan has stopped them all.
        HaAssert.True(sampler.BothWans == TimeSpan.Zero, $"both WANs were up for {sampler.BothWans.TotalMilliseconds:0} ms", lab);
        HaAssert.True(sampler.BothTunnelClients == TimeSpan.Zero, $"both tunnel clients ran for {sampler.BothTunnelClients.TotalMilliseconds:0} ms", lab);
        HaAssert.OneRouterPerEpisode(lab, [new TunnelEpisode("A master", start, "A"), new TunnelEpisode("A killed", kill, "B")]);
    }

    [Fact]
    public async Task KilledMasterDaemonWithoutRestartLeavesTheTunnelToThePeerOnlyAfterTheFenceWindow()
    {
        using var cts = LabAssert.Budget(90);
        using var lab = await HaLab.CreateAsync(Options, cts.Token);
        using var supervisor = await StartSupervisedAsync(lab, restart: false, cts.Token);
        var start = DateTimeOffset.UtcNow;
        using var sampler = new UplinkOverlapSampler(lab);

        var kill = DateTimeOffset.UtcNow;
        lab.A.Kill9();
        // Nothing restarts A: its WAN stays up (link state outlives the process); systemd's cgroup kill took the tunnel.
        await Wait.UntilAsync(() => lab.Vps.Sessions().Any(s => s.Router == "B" && s.Start >= kill) && lab.Tunnel('B').IsRunning,
            lab.FencedTakeoverTimeout, "B's tunnel once A was silent for the fence window", lab.Diagnostics, cts.Token);
        await Wait.HoldsAsync(() => lab.Tunnel('B').IsRunning && !lab.Tunnel('A').IsRunning, TimeSpan.FromSeconds(1),
            "B's tunnel alone", lab.Diagnostics, cts.Token);
        Report("kill -9, no restart", kill, lab, supervisor, sampler);

        var bTunnel = HaAssert.FirstSessionOf(lab, 'B', kill);
        var earliest = kill + Options.FenceWindow - Options.HeartbeatInterval;
        HaAssert.True(bTunnel.Start >= earliest,
            $"B's tunnel at {bTunnel.Start:HH:mm:ss.fff}, before the fence window allowed it ({earliest:HH:mm:ss.fff})", lab);
        HaAssert.True(supervisor.FirstAt("started", kill) is null, "the stand-in restarted A although told not to", lab);
        HaAssert.True(sampler.BothTunnelClients == TimeSpan.Zero, $"both tunnel clients ran for {sampler.BothTunnelClients.TotalMilliseconds:0} ms", lab);
        HaAssert.OneRouterPerEpisode(lab, [new TunnelEpisode("A master", start, "A"), new TunnelEpisode("A killed for good", kill, "B")]);
    }
}
