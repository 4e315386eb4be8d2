using Router.Core.Config;

namespace Router.Integrations.Actions;

/// <summary>
/// A service on an OMR box that talks to the VPS as this router's one client: its UCI switches and its init script.
/// shadowsocks also has one `disabled` per ss_redir / ss_rules section, found when the action runs.
/// </summary>
public sealed record OmrService(string Name, string InitScript, IReadOnlyList<UciSwitch> Switches, string[]? SwitchedSectionTypes = null)
{
    /// <summary>openmptcprouter.settings.vpn values (<see cref="OmrNames.Tunnels"/>): each starts a client on tun0.</summary>
    public static readonly IReadOnlyList<OmrService> Tunnels =
    [
        new("glorytun_tcp", "glorytun", [UciSwitch.Enable("glorytun", "vpn")]),
        new("glorytun_udp", "glorytun-udp", [UciSwitch.Enable("glorytun-udp", "vpn")]),
        new("dsvpn", "dsvpn", [UciSwitch.Enable("dsvpn", "vpn")]),
        new("mlvpn", "mlvpn", [UciSwitch.Enable("mlvpn", "general")]),
        new("ubond", "ubond", [UciSwitch.Enable("ubond", "general")]),
        new("openvpn", "openvpn", [UciSwitch.Enable("openvpn", "omr", "enabled")]),
    ];

    /// <summary>openmptcprouter.settings.proxy values (<see cref="OmrNames.Proxies"/>).</summary>
    public static readonly IReadOnlyList<OmrService> Proxies =
    [
        new("shadowsocks", "shadowsocks-libev", [UciSwitch.Disabled("shadowsocks-libev", "sss0")], ["ss_redir", "ss_rules"]),
        new("shadowsocks-rust", "shadowsocks-rust", [UciSwitch.Disabled("shadowsocks-rust", "sss0")], ["ss_redir", "ss_rules"]),
        new("v2ray", "v2ray", [UciSwitch.Enable("v2ray", "main", "enabled")]),
        new("xray", "xray", [UciSwitch.Enable("xray", "main", "enabled")]),
    ];

    public async Task<IReadOnlyList<UciSwitch>> SwitchesAsync(OpenWrtSystem sys, CancellationToken cancellationToken)
    {
        if (SwitchedSectionTypes is null) return Switches;
        var config = Switches[0].Config;
        var all = new List<UciSwitch>(Switches);
        foreach (var (name, type) in await sys.SectionsAsync(config, cancellationToken))
            if (SwitchedSectionTypes.Contains(type)) all.Add(UciSwitch.Disabled(config, name));
        return all;
    }

    /// <summary>Installed here: its init script or its UCI section exists (OMR images differ in which tunnels they carry).</summary>
    public async Task<bool> PresentAsync(OpenWrtSystem sys, CancellationToken cancellationToken) =>
        sys.HasInitScript(InitScript) || await sys.GetAsync($"{Switches[0].Config}.{Switches[0].Section}", cancellationToken) is not null;

    /// <summary>Switches on (then start) or off (then stop). Only options that differ are written, so a correction
    /// touches only what drifted and a repeated transition writes no flash.</summary>
    public async Task EnsureAsync(OpenWrtSystem sys, bool on, CancellationToken cancellationToken)
    {
        await UciSwitches.EnsureAsync(sys, await SwitchesAsync(sys, cancellationToken), on, cancellationToken);
        if (on) await sys.InitAsync(InitScript, "start", cancellationToken);
        else if (sys.HasInitScript(InitScript)) await sys.InitAsync(InitScript, "stop", cancellationToken);
    }

    public async Task<List<string>> DriftAsync(OpenWrtSystem sys, bool on, CancellationToken cancellationToken)
    {
        var lines = await UciSwitches.DriftAsync(sys, Name, await SwitchesAsync(sys, cancellationToken), on, cancellationToken);
        if (on && !await sys.RunningAsync(InitScript, cancellationToken)) lines.Add($"{Name}: /etc/init.d/{InitScript} is not running");
        if (!on && sys.HasInitScript(InitScript) && await sys.RunningAsync(InitScript, cancellationToken))
            lines.Add($"{Name}: /etc/init.d/{InitScript} is running");
        return lines;
    }
}

/// <summary>Reading and writing sets of <see cref="UciSwitch"/>es with one commit per config.</summary>
public static class UciSwitches
{
    /// <summary>Writes the switches that differ, then commits each config written; true when something changed.</summary>
    public static async Task<bool> EnsureAsync(OpenWrtSystem sys, IEnumerable<UciSwitch> switches, bool on, CancellationToken cancellationToken)
    {
        var changed = new List<string>();
        foreach (var s in switches)
        {
            if (s.Holds(await sys.GetAsync(s.Key, cancellationToken), on)) continue;
            await sys.SetAsync(s.Key, s.Want(on), cancellationToken);
            if (!changed.Contains(s.Config)) changed.Add(s.Config);
        }
        foreach (var config in changed) await sys.CommitAsync(config, cancellationToken);
        return changed.Count > 0;
    }

    public static async Task<List<string>> DriftAsync(OpenWrtSystem sys, string label, IEnumerable<UciSwitch> switches, bool on, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var s in switches)
        {
            var value = await sys.GetAsync(s.Key, cancellationToken);
            if (!s.Holds(value, on)) lines.Add($"{label}: {s.Key} is {(value is null ? "unset" : value)}, should be {s.Want(on)}");
        }
        return lines;
    }
}
