namespace Router.LabKit;

/// <summary>
/// What OMR users hang on keepalived's `notify`: MASTER brings the WAN up and starts the tunnel client; BACKUP, FAULT
/// and STOP stop the tunnel and take the WAN down. Written over the node's own <see cref="NotifyScript"/> (same path,
/// same history and state files first), so <see cref="KeepalivedNode"/> itself stays unchanged. keepalived runs
/// notify scripts asynchronously and inside the router's namespace, as on a router.
/// </summary>
public static class OmrNotifyScript
{
    public static void Install(NotifyScript notify, OpenVpnClient tunnel)
    {
        var wan = HaTopology.WanInterface;
        File.WriteAllText(notify.ScriptPath,
            "#!/bin/sh\n" +
            $"echo \"$1 $2 $3 $4\" >> '{notify.HistoryPath}'\n" +
            $"echo \"$3\" > '{notify.StatePath}'.tmp.$$ && mv -f '{notify.StatePath}'.tmp.$$ '{notify.StatePath}'\n" +
            "case \"$3\" in\n" +
            $"  MASTER) ip link set {wan} up; '{tunnel.StartScript}' ;;\n" +
            $"  BACKUP|FAULT|STOP) '{tunnel.StopScript}'; ip link set {wan} down ;;\n" +
            "esac\n" +
            "exit 0\n");
        Shell.Check("chmod", "0755", notify.ScriptPath);
    }
}
