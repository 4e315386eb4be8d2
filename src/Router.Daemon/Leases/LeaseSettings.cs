using Router.Core.Config;
using Router.Store;

namespace Router.Daemon.Leases;

/// <summary>What the short-lived lease verbs use from the config: socket, store path (null: leases not kept), node name.</summary>
internal sealed record LeaseSettings(string ControlSocket, string? DbPath, string Node, LeaseLimits Limits)
{
    public static LeaseLimits LimitsOf(LeasesConfig c) => new(c.MaxRows, c.MaxRowsPerMac, c.MaxTombstones);

    /// <summary>
    /// Through the lenient load, so a dhcp-script still works when another part of the file fails validation
    /// (dnsmasq must not lose its leases over a typo in a VRRP instance). Problems in the global and leases
    /// sections go to errors; the options concerned keep their defaults.
    /// </summary>
    public static LeaseSettings Read(string configPath, List<ConfigError> errors)
    {
        var config = ConfigFile.LoadGlobalAndLeases(configPath, errors);
        return new LeaseSettings(config.Global.ControlSocket, config.Leases?.DbPath, NodeIdentity.Of(config.Global),
            config.Leases is { } l ? LimitsOf(l) : LeaseLimits.Default);
    }
}
