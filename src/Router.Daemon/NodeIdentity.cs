using Router.Core.Config;

namespace Router.Daemon;

/// <summary>This router's name towards its peer, MQTT and the lease store: `node_name`, else the host name.</summary>
internal static class NodeIdentity
{
    public static string Of(GlobalConfig global) => global.NodeName ?? Environment.MachineName;

    /// <summary>The kernel's host name as set (dnsmasq may pass it as a client's HOSTNAME); null when unreadable.
    /// Not Environment.MachineName, which cuts it at the first dot.</summary>
    public static string? KernelHostname()
    {
        try { return File.ReadAllText("/proc/sys/kernel/hostname").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
