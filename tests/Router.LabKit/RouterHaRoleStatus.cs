namespace Router.LabKit;

/// <summary>`status --json` "role": the plan that puts WAN / tunnel / DHCP in the router's role.</summary>
public sealed class RouterHaRoleStatus
{
    public string? Target { get; set; }
    public string Reason { get; set; } = "";
    public bool Finished { get; set; }
    public string? CurrentStep { get; set; }
    public string Tunnel { get; set; } = "";
}

/// <summary>`status --json` "fence": the tunnel gate and the dual-master episodes it counted.</summary>
public sealed class RouterHaFenceStatus
{
    public string Gate { get; set; } = "";
    public string Reason { get; set; } = "";
    public string? PeerRole { get; set; }
    public string? PeerTunnel { get; set; }
    public long DualMasterEpisodes { get; set; }
    public bool DualMasterNow { get; set; }
}
