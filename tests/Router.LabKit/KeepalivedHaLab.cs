namespace Router.LabKit;

/// <summary>
/// keepalived 2.2.7 in the same <see cref="HaTopology"/> as <see cref="HaLab"/>, as OMR users run it: VRRP for the VIP
/// and <see cref="OmrNotifyScript"/> moving WAN and tunnel (the same <see cref="OpenVpnClient"/> scripts routerha's
/// `command` action runs). No peer channel, no fence: the comparison routerha is built against. A is priority 150,
/// B 100, both preempt. keepalived runs only inside the router namespaces and is killed by pid (parent and VRRP child).
/// </summary>
public sealed class KeepalivedHaLab : IHaPairLab
{
    public HaTopology Topology { get; }
    public OpenVpnServer Vps { get; }
    public KeepalivedNode A { get; }
    public KeepalivedNode B { get; }
    private readonly OpenVpnClient _tunnelA, _tunnelB;

    private KeepalivedHaLab(HaTopology topology, OpenVpnServer vps, OpenVpnClient tunnelA, OpenVpnClient tunnelB, KeepalivedNode a, KeepalivedNode b)
    {
        Topology = topology;
        Vps = vps;
        _tunnelA = tunnelA;
        _tunnelB = tunnelB;
        A = a;
        B = b;
    }

    /// <summary>Only <see cref="HaLabOptions.AdvertInterval"/> applies: keepalived has no peer channel or fence.</summary>
    public static async Task<KeepalivedHaLab> CreateAsync(HaLabOptions options, CancellationToken ct = default)
    {
        var t = HaTopology.Create();
        try
        {
            var vps = await OpenVpnServer.StartAsync(t, ct).ConfigureAwait(false);
            // Created before the daemons: the topology disposes in reverse, so clients are reaped after the daemons died.
            var tunnelA = OpenVpnClient.Create(t, vps, 'A');
            var tunnelB = OpenVpnClient.Create(t, vps, 'B');
            var a = new KeepalivedNode(t.Lan, "A", VrrpSettings.For(150, options.AdvertInterval));
            var b = new KeepalivedNode(t.Lan, "B", VrrpSettings.For(100, options.AdvertInterval));
            OmrNotifyScript.Install(a.Notify, tunnelA);
            OmrNotifyScript.Install(b.Notify, tunnelB);
            return new KeepalivedHaLab(t, vps, tunnelA, tunnelB, a, b);
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    public string Kind => "keepalived";
    public IVrrpNode Node(char which) => char.ToUpperInvariant(which) == 'A' ? A : B;
    public OpenVpnClient Tunnel(char which) => char.ToUpperInvariant(which) == 'A' ? _tunnelA : _tunnelB;
    public TimeSpan MasterDown => B.Settings.MasterDownInterval;
    public TimeSpan FenceWindow => TimeSpan.Zero;
    public string? StateOf(char which) => Node(which).State;

    public string Diagnostics() =>
        string.Join('\n', A.Diagnostics(), B.Diagnostics(), Vps.Diagnostics(),
            $"--- tunnel client A log:\n{_tunnelA.LogTail()}", $"--- tunnel client B log:\n{_tunnelB.LogTail()}");

    public void Dispose()
    {
        HaPairLabExtensions.KillDaemonsAndReap(this);
        Topology.Dispose();
    }
}
