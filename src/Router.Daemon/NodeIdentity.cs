using Router.Core.Config;

namespace Router.Daemon;

/// <summary>This router's name towards its peer, MQTT and the lease store: `node_name`, else the host name.</summary>
internal static class NodeIdentity
{
    public static string Of(GlobalConfig global) => global.NodeName ?? Environment.MachineName;
}
