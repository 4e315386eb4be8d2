namespace Router.Integrations.Mqtt;

/// <summary>
/// Every topic routerha uses, in one place (docs/mqtt.md lists them). PREFIX/NODE/... so several routers and
/// several pairs share one broker; NODE is the node id (topic-safe, also the Home Assistant device id).
/// </summary>
public sealed class MqttTopics(string prefix, string nodeId, string discoveryPrefix)
{
    public string NodeId { get; } = nodeId;
    public string Base { get; } = $"{prefix}/{nodeId}";
    /// <summary>Retained "online"; the broker publishes the retained will "offline" when we vanish.</summary>
    public string Availability => $"{Base}/availability";
    /// <summary>Retained JSON: the whole router.</summary>
    public string Status => $"{Base}/status";
    /// <summary>Not retained: one JSON object per thing that happened, for alert automations.</summary>
    public string Events => $"{Base}/events";
    /// <summary>Subscribed only with option commands '1'.</summary>
    public string Command => $"{Base}/command";
    /// <summary>Retained MASTER / BACKUP / FAULT / INIT / STOPPED.</summary>
    public string State(string instance) => $"{Base}/{instance}/state";

    public string DiscoveryPrefix { get; } = discoveryPrefix;
    /// <summary>Home Assistant announces "online" here when it (re)starts: that is when discovery is sent again.</summary>
    public string HomeAssistantStatus => $"{DiscoveryPrefix}/status";
    public string Discovery(string component, string objectId) => $"{DiscoveryPrefix}/{component}/routerha_{NodeId}/{objectId}/config";

    /// <summary>A host name as a topic level and HA id: anything outside [A-Za-z0-9_-] becomes '_'.</summary>
    public static string SafeId(string name) =>
        Router.Core.Text.SafeText.Map(name, c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
}
