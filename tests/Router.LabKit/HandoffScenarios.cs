namespace Router.LabKit;

/// <summary>Master's LAN link cut with the peer cable up: what the client and the VPS saw.</summary>
public sealed record LinkDownOutcome(ProbeResult Probe, double TunnelUpMs, double? OldTunnelStopMs, int LiveKicks);

/// <summary>The master crashed (daemon SIGKILLed, router dark): the client's gap and when the new master's tunnel came up.</summary>
public sealed record CrashOutcome(ProbeResult Probe, double? TunnelUpMs, int LiveKicks);

/// <summary>
/// The master's daemon hung (SIGSTOP) for a while, then resumed. Times from the freeze; seconds over the whole run
/// (freeze, resume, settle). <see cref="SettledMs"/>: after the resume, when one router alone held the uplinks again
/// for a second, null if that did not happen within the bound.
/// </summary>
public sealed record HangOutcome(double? PeerTunnelMs, double TwoTunnelSeconds, double BothWanSeconds, int LiveKicks,
    int VpsSessions, double? SettledMs, double RunSeconds);

/// <summary>
/// Issue 12's failover scenarios on an <see cref="IHaPairLab"/> that the caller has started and settled (A holds
/// WAN and tunnel, B is BACKUP). Everything is judged from outside: the client's 10 ms probe of the VIP, the VPS's
/// session ledger, both routers' WAN flags and tunnel clients sampled every 10 ms. Every wait is bounded.
/// </summary>
public static class HandoffScenarios
{
    private const int SIGCONT = 18;
    private const int SIGSTOP = 19;

    /// <summary>Unplugs A's LAN cable at the switch; the peer cable stays up.</summary>
    public static async Task<LinkDownOutcome> MasterLinkDownAsync(IHaPairLab lab, UplinkSampler sampler, CancellationToken ct = default)
    {
        using var prober = await StartProbingAsync(lab, ct).ConfigureAwait(false);
        var kicks = LiveKicks(lab);
        var cutAt = DateTimeOffset.UtcNow;
        var cutMs = sampler.NowMs;
        lab.Topology.Lan.SetRouterLink(lab.Topology.RouterA, up: false);
        var afterCut = prober.SentCount;
        var bound = lab.SettleTimeout();
        await prober.WaitForReplyAfterAsync(afterCut, bound, ct).ConfigureAwait(false);
        await Wait.UntilAsync(() => sampler.Latest?.Holds('B') == true, bound, "B to hold WAN and tunnel", lab.Diagnostics, ct)
            .ConfigureAwait(false);
        var probe = prober.Stop();
        var samples = sampler.Stop();
        var session = FirstSessionOf(lab, 'B', cutAt);
        return new LinkDownOutcome(probe, (session.Start - cutAt).TotalMilliseconds,
            UplinkSampler.FirstAfter(samples, cutMs, s => !s.TunnelA), LiveKicks(lab) - kicks);
    }

    /// <summary>
    /// A dies as a router dies: its daemon SIGKILLed (keepalived: VRRP child and parent), its VIP gone at once so only
    /// a new master can answer the client, its tunnel client killed and its WAN down.
    /// </summary>
    public static async Task<CrashOutcome> MasterCrashAsync(IHaPairLab lab, UplinkSampler sampler, CancellationToken ct = default)
    {
        using var prober = await StartProbingAsync(lab, ct).ConfigureAwait(false);
        var kicks = LiveKicks(lab);
        var node = lab.Node('A');
        var crashAt = DateTimeOffset.UtcNow;
        node.Kill9();
        foreach (var v in node.Settings.Vips)
            if (lab.Topology.Lan.HasAddress(node.Namespace, System.Net.IPAddress.Parse(v.Split('/')[0])))
                lab.Topology.Lan.DeleteAddress(node.Namespace, v);
        var afterCrash = prober.SentCount;
        lab.Tunnel('A').Kill();
        lab.Topology.SetWan('A', up: false);
        var bound = lab.SettleTimeout();
        await prober.WaitForReplyAfterAsync(afterCrash, bound, ct).ConfigureAwait(false);
        var probe = prober.Stop();
        await Wait.UntilAsync(() => sampler.Latest?.Holds('B') == true, bound, "B to hold WAN and tunnel", lab.Diagnostics, ct)
            .ConfigureAwait(false);
        sampler.Stop();
        var session = FirstSessionOf(lab, 'B', crashAt);
        return new CrashOutcome(probe, (session.Start - crashAt).TotalMilliseconds, LiveKicks(lab) - kicks);
    }

    /// <summary>
    /// Freezes every process of A's daemon, as <paramref name="launcher"/> names them (keepalived: the parent first, so
    /// it cannot react to its child), for <paramref name="freeze"/>, resumes them, then watches until one router alone
    /// holds the uplinks for a second or <paramref name="settleBound"/> passed. A daemon under a watchdog may have been
    /// replaced meanwhile: SIGCONT to the old pids is then a no-op, and the figures, taken from outside, stay comparable.
    /// </summary>
    public static async Task<HangOutcome> MasterHangAsync(IHaPairLab lab, UplinkSampler sampler, DaemonLauncher launcher, TimeSpan freeze,
        TimeSpan settleBound, CancellationToken ct = default)
    {
        var kicks = LiveKicks(lab);
        var pids = launcher.Pids(lab, 'A').ToList();
        if (pids.Count == 0) throw new InvalidOperationException($"no process of A's daemon to freeze (launcher {launcher.Name})\n{lab.Diagnostics()}");
        var stopAt = DateTimeOffset.UtcNow;
        var stopMs = sampler.NowMs;
        foreach (var pid in pids) Native.Kill(pid, SIGSTOP);
        try
        {
            // The hang itself: a fixed stretch of time, observed by the sampler, not a wait for a condition.
            await Task.Delay(freeze, ct).ConfigureAwait(false);
        }
        finally
        {
            foreach (var pid in pids.AsEnumerable().Reverse()) Native.Kill(pid, SIGCONT);
        }
        var contMs = sampler.NowMs;
        double? settled = null;
        var heldSince = (double?)null;
        while (sampler.NowMs - contMs < settleBound.TotalMilliseconds)
        {
            ct.ThrowIfCancellationRequested();
            var s = sampler.Latest;
            if (s?.OneHolder == true)
            {
                heldSince ??= s.AtMs;
                if (s.AtMs - heldSince >= 1000)
                {
                    settled = heldSince - contMs;
                    break;
                }
            }
            else heldSince = null;
            await Task.Delay(Wait.PollInterval, ct).ConfigureAwait(false);
        }
        var samples = sampler.Stop();
        var sessions = lab.Vps.Sessions().Where(x => x.Start >= stopAt).ToList();
        var peer = sessions.FirstOrDefault(x => x.Router == "B");
        return new HangOutcome(
            peer is null ? null : (peer.Start - stopAt).TotalMilliseconds,
            UplinkSampler.SecondsWhere(samples, stopMs, s => s.BothTunnels),
            UplinkSampler.SecondsWhere(samples, stopMs, s => s.BothWans),
            LiveKicks(lab) - kicks,
            sessions.Count,
            settled is double d ? Math.Max(0, d) : null,
            (samples[^1].AtMs - stopMs) / 1000);
    }

    /// <summary>Probes the VIP from the client every 10 ms and waits for a clean steady run before the failure.</summary>
    private static async Task<Prober> StartProbingAsync(IHaPairLab lab, CancellationToken ct)
    {
        var prober = Prober.Start(lab.Topology.Client, LabTopology.Vip4);
        try
        {
            var settle = TimeSpan.FromSeconds(5);
            await prober.WaitForReplyAfterAsync(0, settle, ct).ConfigureAwait(false);
            await prober.WaitForReplyAfterAsync(prober.SentCount + 5, settle, ct).ConfigureAwait(false);
            return prober;
        }
        catch
        {
            prober.Dispose();
            throw;
        }
    }

    /// <summary>Live tunnel clients pushed out by the other router's client: a second tunnel as the VPS enforced it.</summary>
    private static int LiveKicks(IHaPairLab lab) => lab.Tunnel('A').PushedOut + lab.Tunnel('B').PushedOut;

    private static VpsSession FirstSessionOf(IHaPairLab lab, char router, DateTimeOffset since) =>
        lab.Vps.Sessions().FirstOrDefault(s => s.Router == router.ToString() && s.Start >= since)
        ?? throw new InvalidOperationException($"no VPS session of {router} since {since:HH:mm:ss.fff}\n{lab.Diagnostics()}");
}
