using Router.Core.Config;

namespace Router.Daemon.Leases;

/// <summary>
/// What the short-lived lease verbs need from the config: socket, store path, node name. Read from the
/// raw UCI sections so a dhcp-script still works when another part of the file fails validation
/// (dnsmasq must not lose its leases over a typo in a VRRP instance).
/// </summary>
internal sealed record LeaseSettings(string ControlSocket, string? DbPath, string Node)
{
    public static LeaseSettings Read(string configPath)
    {
        string? socket = null, db = null, node = null;
        var leasesEnabled = false;
        try
        {
            var doc = UciParser.Parse(configPath, File.ReadAllText(configPath), []);
            foreach (var s in doc.Sections)
            {
                string? Opt(string name) => s.Options.LastOrDefault(o => o.Name == name)?.Value;
                if (s.Type == "global")
                {
                    socket = Opt("control_socket") ?? socket;
                    node = Opt("node_name") ?? node;
                }
                else if (s.Type == "leases")
                {
                    leasesEnabled = Opt("enabled") is not ("0" or "no" or "off" or "false" or "disabled");
                    db = Opt("db_path") ?? LeasesConfig.DefaultDbPath;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return new LeaseSettings(socket ?? new GlobalConfig().ControlSocket, leasesEnabled ? db : null, NodeName(node));
    }

    public static string NodeName(string? configured) => configured ?? Environment.MachineName;
}
