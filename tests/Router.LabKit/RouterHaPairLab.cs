namespace Router.LabKit;

/// <summary>The routerha <see cref="HaLab"/> seen as an <see cref="IHaPairLab"/>, so the handoff scenarios drive it and keepalived alike.</summary>
public sealed class RouterHaPairLab : IHaPairLab
{
    public HaLab Lab { get; }

    private RouterHaPairLab(HaLab lab) => Lab = lab;

    public static async Task<RouterHaPairLab> CreateAsync(HaLabOptions options, CancellationToken ct = default) =>
        new(await HaLab.CreateAsync(options, ct).ConfigureAwait(false));

    public string Kind => "routerha";
    public HaTopology Topology => Lab.Topology;
    public OpenVpnServer Vps => Lab.Vps;
    public IVrrpNode Node(char which) => Lab.Node(which);
    public OpenVpnClient Tunnel(char which) => Lab.Tunnel(which);
    public TimeSpan MasterDown => Lab.MasterDown;
    public TimeSpan FenceWindow => Lab.Options.FenceWindow;
    public string? StateOf(char which) => Lab.Node(which).StateOf(Lab.Node(which).Settings.InstanceName);
    public string Diagnostics() => Lab.Diagnostics();

    public void Dispose()
    {
        HaPairLabExtensions.KillDaemonsAndReap(this);
        Lab.Dispose();
    }
}
