using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Router.LabKit;

/// <summary>Timers of the HA lab, short so a failover takes about a second; the fence window is what a crash costs.</summary>
public sealed record HaLabOptions
{
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan DeadInterval { get; init; } = TimeSpan.FromMilliseconds(600);
    /// <summary>Longer than the tunnel stop script can take (it kills at 1.5 s), as configuration.md asks.</summary>
    public TimeSpan FenceWindow { get; init; } = TimeSpan.FromSeconds(2.5);
    /// <summary>Adds `config track 'wan_line'` (carrier of the WAN port, weight 0 = FAULT) on both routers.</summary>
    public bool TrackWanLine { get; init; }
    public TimeSpan TrackInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public int TrackFall { get; init; } = 2;
    public int TrackRise { get; init; } = 3;
    /// <summary>`fence_command` on both routers (<see cref="FenceAgentScript"/> against the other one) exiting with
    /// this code; null = no fencing agent.</summary>
    public int? FenceAgentExit { get; init; }
    public TimeSpan FenceTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>`option fenced '1'` on the WAN action: both routers' WANs up at once is an address conflict on OMR.</summary>
    public bool FencedWan { get; init; }
    /// <summary>VRRP preempt on both routers; off keeps the new master after the old one comes back.</summary>
    public bool Preempt { get; init; } = true;
    /// <summary>UCI lines appended to the global section (watchdog, respawn_delay, ...).</summary>
    public string GlobalUci { get; init; } = "";
}

/// <summary>
/// Two routerha routers in <see cref="HaTopology"/>, each MASTER-only for its WAN (`link` action on wan0) and its
/// tunnel (fenced `command` action running <see cref="OpenVpnClient"/>), with a peer channel over the LAN and the
/// peer cable, and the VPS's OpenVPN server recording every session. A is priority 150, B 100, both preempt.
/// </summary>
public sealed class HaLab : IDisposable
{
    public HaTopology Topology { get; }
    public OpenVpnServer Vps { get; }
    public HaLabOptions Options { get; }
    public RouterHaNode A { get; }
    public RouterHaNode B { get; }
    private readonly OpenVpnClient _tunnelA, _tunnelB;
    private readonly Dictionary<char, FenceAgentScript> _agents;

    private HaLab(HaTopology topology, OpenVpnServer vps, HaLabOptions options, OpenVpnClient tunnelA, OpenVpnClient tunnelB,
        RouterHaNode a, RouterHaNode b, Dictionary<char, FenceAgentScript> agents)
    {
        _agents = agents;
        Topology = topology;
        Vps = vps;
        Options = options;
        _tunnelA = tunnelA;
        _tunnelB = tunnelB;
        A = a;
        B = b;
    }

    public static async Task<HaLab> CreateAsync(HaLabOptions? options = null, CancellationToken ct = default)
    {
        options ??= new HaLabOptions();
        var t = HaTopology.Create();
        try
        {
            var vps = await OpenVpnServer.StartAsync(t, ct).ConfigureAwait(false);
            // Created before the daemons: the topology disposes in reverse, so clients are reaped after the daemons died.
            var tunnelA = OpenVpnClient.Create(t, vps, 'A');
            var tunnelB = OpenVpnClient.Create(t, vps, 'B');
            var secretFile = Path.Combine(t.WorkDir, "peer.key");
            File.WriteAllText(secretFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
            File.SetUnixFileMode(secretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            // Keyed by the router it fences: B's fence_command fences A.
            var agents = options.FenceAgentExit is { } exit
                ? new Dictionary<char, FenceAgentScript>
                {
                    ['A'] = FenceAgentScript.Create(t, 'A', tunnelA, exit),
                    ['B'] = FenceAgentScript.Create(t, 'B', tunnelB, exit),
                }
                : [];
            var a = new RouterHaNode(t.Lan, "A", Settings('A', 150, options, tunnelA, secretFile, agents.GetValueOrDefault('B')));
            var b = new RouterHaNode(t.Lan, "B", Settings('B', 100, options, tunnelB, secretFile, agents.GetValueOrDefault('A')));
            return new HaLab(t, vps, options, tunnelA, tunnelB, a, b, agents);
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    private static VrrpSettings Settings(char which, int priority, HaLabOptions o, OpenVpnClient tunnel, string secretFile,
        FenceAgentScript? agent) =>
        VrrpSettings.For(priority, o.AdvertInterval) with
        {
            NodeName = which == 'A' ? "router-a" : "router-b",
            Preempt = o.Preempt,
            GlobalUci = o.GlobalUci,
            ExtraUci = RenderHaUci(which, o, tunnel, secretFile, agent),
        };

    /// <summary>The HA part of a router's config: what an OMR pair would configure, with lab devices and timers.</summary>
    /// <summary>The WAN action sets no `fenced`: WAN is fenced by default, as an OMR pair needs it.</summary>
    public static string RenderHaUci(char which, HaLabOptions o, OpenVpnClient tunnel, string secretFile, FenceAgentScript? agent = null)
    {
        var other = which == 'A' ? 'B' : 'A';
        var lanOwn = which == 'A' ? LabTopology.AddressA : LabTopology.AddressB;
        var lanPeer = which == 'A' ? LabTopology.AddressB : LabTopology.AddressA;
        var b = new StringBuilder();
        b.Append($"\nconfig action 'wan'\n\toption kind 'link'\n\tlist interface '{HaTopology.WanInterface}'\n\toption timeout '2'\n");
        if (o.FencedWan) b.Append("\toption fenced '1'\n");
        b.Append($"\nconfig action 'vpn'\n\toption kind 'command'\n\toption start '{tunnel.StartScript}'\n\toption stop '{tunnel.StopScript}'\n");
        b.Append("\toption fenced '1'\n\toption timeout '2'\n\toption retries '5'\n\toption retry_delay '0.5'\n");
        b.Append($"\nconfig peer 'router_{char.ToLowerInvariant(other)}'\n");
        b.Append($"\tlist path 'lan {lanOwn} {lanPeer}'\n");
        b.Append($"\tlist path 'link {HaTopology.PeerLinkAddress(which)} {HaTopology.PeerLinkAddress(other)}'\n");
        b.Append($"\toption secret_file '{secretFile}'\n");
        b.Append($"\toption heartbeat_interval '{Seconds(o.HeartbeatInterval)}'\n");
        b.Append($"\toption dead_interval '{Seconds(o.DeadInterval)}'\n");
        b.Append($"\toption fence_window '{Seconds(o.FenceWindow)}'\n");
        if (agent is not null)
            b.Append($"\toption fence_command '{agent.Path}'\n\toption fence_timeout '{Seconds(o.FenceTimeout)}'\n");
        if (o.TrackWanLine)
        {
            b.Append($"\nconfig track 'wan_line'\n\toption kind 'link'\n\toption interface '{HaTopology.WanPort}'\n");
            b.Append($"\toption interval '{Seconds(o.TrackInterval)}'\n\toption timeout '{Seconds(o.TrackInterval / 2)}'\n");
            b.Append($"\toption fall '{o.TrackFall}'\n\toption rise '{o.TrackRise}'\n\toption weight '0'\n");
        }
        return b.ToString();
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The fencing agent that fences <paramref name="target"/> (run by the other router); needs FenceAgentExit.</summary>
    public FenceAgentScript FenceAgentAgainst(char target) => _agents[char.ToUpperInvariant(target)];

    public RouterHaNode Node(char which) => char.ToUpperInvariant(which) == 'A' ? A : B;

    public OpenVpnClient Tunnel(char which) => char.ToUpperInvariant(which) == 'A' ? _tunnelA : _tunnelB;

    public static char Other(char which) => char.ToUpperInvariant(which) == 'A' ? 'B' : 'A';

    /// <summary>RFC 5798 master-down of the backup (B, the lower priority: the longest).</summary>
    public TimeSpan MasterDown => B.Settings.MasterDownInterval;

    /// <summary>Generous bound for an election plus the uplinks following it (process start, a TLS handshake).</summary>
    public TimeSpan SettleTimeout => 3 * MasterDown + TimeSpan.FromSeconds(6);

    /// <summary>Bound for a takeover that has to wait out the fence window (the old master went silent).</summary>
    public TimeSpan FencedTakeoverTimeout => MasterDown + Options.FenceWindow + TimeSpan.FromSeconds(6);

    /// <summary>Only <paramref name="which"/> has its WAN up and its tunnel client running, and the VPS's session is its.</summary>
    public bool HoldsUplinks(char which)
    {
        var other = Other(which);
        return Topology.WanIsUp(which) && !Topology.WanIsUp(other)
            && Tunnel(which).IsRunning && !Tunnel(other).IsRunning
            && Vps.Current?.Router == which.ToString();
    }

    /// <summary>The router has neither WAN nor tunnel.</summary>
    public bool HasNoUplinks(char which) => !Topology.WanIsUp(which) && !Tunnel(which).IsRunning;

    public Task WaitHoldsUplinksAsync(char which, TimeSpan timeout, CancellationToken ct = default) =>
        Wait.UntilAsync(() => HoldsUplinks(which), timeout, $"only {which} to hold WAN and tunnel", Diagnostics, ct);

    /// <summary>Starts A and, once it is MASTER, B (started together, a 20 ms start-up delay of A makes B a brief
    /// master, see PairLab.StartAndElectAsync); A ends with WAN and tunnel, B BACKUP with neither, following A.</summary>
    public async Task StartAndSettleAsync(CancellationToken ct = default)
    {
        A.Start();
        await A.WaitForStateAsync("MASTER", SettleTimeout, ct).ConfigureAwait(false);
        B.Start();
        await B.WaitForStateAsync("BACKUP", SettleTimeout, ct).ConfigureAwait(false);
        // B takes over early (peer yielded or dead) only from the master it follows, which it knows from A's first
        // advert: a test that kills A before then would measure master-down instead.
        var masterA = $" {LabTopology.AddressA} (";
        await Wait.UntilAsync(() => B.Cli("status").StdOut.Contains(masterA, StringComparison.Ordinal), SettleTimeout,
            "B to hear A's advert", Diagnostics, ct).ConfigureAwait(false);
        await WaitHoldsUplinksAsync('A', SettleTimeout, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Power loss of a router: the daemon and the tunnel client die with SIGKILL, its VIP and WAN are gone. The WAN
    /// goes only once the VPS saw the session end (the dying client's FIN), so a later "pushed out" at the VPS always
    /// means a live second client, never a dead session the server had not noticed yet.
    /// </summary>
    public async Task PowerLossAsync(char which, CancellationToken ct = default)
    {
        var node = Node(which);
        node.Kill9();
        Tunnel(which).Kill();
        await Wait.UntilAsync(() => !Tunnel(which).IsRunning && Vps.Current?.Router != which.ToString(), TimeSpan.FromSeconds(5),
            $"{which}'s tunnel session to end at the VPS", Diagnostics, ct).ConfigureAwait(false);
        foreach (var v in node.Settings.Vips)
            if (Topology.Lan.HasAddress(node.Namespace, System.Net.IPAddress.Parse(v.Split('/')[0])))
                Topology.Lan.DeleteAddress(node.Namespace, v);
        Topology.SetWan(which, up: false);
    }

    public string Uplinks() =>
        $"--- uplinks: wan A {(Topology.WanIsUp('A') ? "up" : "down")}, wan B {(Topology.WanIsUp('B') ? "up" : "down")}, "
        + $"tunnel A {_tunnelA.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-"}, tunnel B {_tunnelB.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-"}, VPS replaced sessions {Vps.ReplacedSessions}, pushed out live: A {_tunnelA.PushedOut} B {_tunnelB.PushedOut}";

    public string Diagnostics() =>
        string.Join('\n', A.Diagnostics(), B.Diagnostics(), Uplinks(), Vps.Diagnostics(),
            $"--- tunnel client A log:\n{_tunnelA.LogTail()}", $"--- tunnel client B log:\n{_tunnelB.LogTail()}");

    public void Dispose() => Topology.Dispose();
}
