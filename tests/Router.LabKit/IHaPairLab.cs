namespace Router.LabKit;

/// <summary>
/// An OMR router pair in <see cref="HaTopology"/> with the VPS's single-client tunnel, whichever daemon decides who is
/// MASTER: routerha (<see cref="RouterHaPairLab"/>) or keepalived with OMR users' notify scripts
/// (<see cref="KeepalivedHaLab"/>). The handoff scenarios judge both from outside: client probe, VPS ledger, WAN flags.
/// A is priority 150, B 100; A is the expected master.
/// </summary>
public interface IHaPairLab : IDisposable
{
    /// <summary>"routerha" or "keepalived".</summary>
    string Kind { get; }
    HaTopology Topology { get; }
    OpenVpnServer Vps { get; }
    IVrrpNode Node(char which);
    OpenVpnClient Tunnel(char which);
    /// <summary>RFC 5798 master-down of the backup (B, the lower priority: the longest).</summary>
    TimeSpan MasterDown { get; }
    /// <summary>How long a takeover may wait before the new master may start its tunnel (routerha's fence window; 0 for keepalived).</summary>
    TimeSpan FenceWindow { get; }
    /// <summary>
    /// The instance's state as the daemon reports it (routerha: its control socket, whoever started the process;
    /// keepalived: its log), or null while it cannot be observed.
    /// </summary>
    string? StateOf(char which);
    string Diagnostics();
}

/// <summary>Starts one router's daemon.</summary>
public delegate void DaemonStarter(IHaPairLab lab, char router);

/// <summary>
/// How a scenario starts a router's daemon and which processes are that daemon (what a hang freezes). The plain one
/// runs the node's own process; a supervised one (the watchdog stand-in) swaps in here without touching the
/// scenarios, which otherwise judge the daemon only from outside.
/// </summary>
public sealed record DaemonLauncher(string Name, DaemonStarter Start, Func<IHaPairLab, char, IReadOnlyList<int>> Pids)
{
    /// <summary>The node's own process (keepalived: parent and VRRP child), no supervisor, no watchdog.</summary>
    public static readonly DaemonLauncher Plain = new("plain", static (lab, r) => lab.Node(r).Start(), static (lab, r) => lab.Node(r).Pids);
}

public static class HaPairLabExtensions
{

    /// <summary>Bound for an election plus the uplinks following it (process start, fence window, a TLS handshake).</summary>
    public static TimeSpan SettleTimeout(this IHaPairLab lab) => 3 * lab.MasterDown + lab.FenceWindow + TimeSpan.FromSeconds(6);

    /// <summary>
    /// Starts A and waits until it alone holds WAN and tunnel (the VPS sees its session), then starts B and waits for
    /// BACKUP and one advert of A's. The master first: started together, a late master lets the backup be a brief master (see PairLab).
    /// </summary>
    public static async Task StartAndSettleAsync(this IHaPairLab lab, UplinkSampler sampler, DaemonLauncher? launcher = null,
        CancellationToken ct = default)
    {
        launcher ??= DaemonLauncher.Plain;
        var bound = lab.SettleTimeout();
        launcher.Start(lab, 'A');
        await Wait.UntilAsync(() => sampler.Latest?.Holds('A') == true, bound, "A to hold WAN and tunnel", lab.Diagnostics, ct)
            .ConfigureAwait(false);
        launcher.Start(lab, 'B');
        // Polled gently: for routerha every look is a CLI process.
        await Wait.ForAsync(() => Task.FromResult(lab.StateOf('B')), s => s == "BACKUP", bound, "B to become BACKUP",
            _ => lab.Diagnostics(), TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
        // One advert of A's seen on the LAN after B is BACKUP: B has it too, and follows A. routerha's handoff and fast
        // peer death take over only from the master followed; a failure before that would measure master-down.
        var adverts = await Task.Run(() => PacketCapture.Vrrp(lab.Topology.Lan, 1, lab.MasterDown + TimeSpan.FromSeconds(1)), ct)
            .ConfigureAwait(false);
        if (!adverts.Any(a => a.Source.Equals(LabTopology.AddressA)))
            throw new TimeoutException($"no advert of A's on the LAN within master-down once B was BACKUP\n{lab.Diagnostics()}");
        await Wait.UntilAsync(() => sampler.Latest?.Holds('A') == true, bound, "A to hold WAN and tunnel with B up", lab.Diagnostics, ct)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Teardown shared by both labs: kill the daemons by pid, then every process still inside a lab namespace (a
    /// notify or tunnel script the daemon left running would otherwise outlive its namespace), then the topology.
    /// </summary>
    internal static void KillDaemonsAndReap(IHaPairLab lab)
    {
        foreach (var which in "AB")
        {
            var node = lab.Node(which);
            try
            {
                if (node.IsRunning) node.Kill9();
            }
            catch (InvalidOperationException) { /* teardown: keep going, the reaper and the topology follow */ }
        }
        LabReaper.KillEverythingIn(lab.Topology);
    }
}
