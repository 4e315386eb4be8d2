using System.Text;
using System.Text.Json;
using Router.Integrations.Events;

namespace Router.Integrations.Mqtt;

/// <summary>
/// The JSON published on the status and events topics, written field by field (no reflection, stable order).
/// Field names are a public interface for automations: docs/mqtt.md lists them.
/// </summary>
public static class MqttPayloads
{
    /// <summary>Leases are not replicated yet (issue: DHCP leases); until then the count is 0.</summary>
    public const int LeaseCount = 0;

    public static string Status(RouterView view, string nodeId) => Write(w =>
    {
        w.WriteString("node", view.Node);
        w.WriteString("node_id", nodeId);
        w.WriteString("version", view.Version);
        w.WriteBoolean("maintenance", view.Maintenance);
        w.WriteBoolean("is_master", view.Instances.Any(i => i.State == "MASTER"));
        w.WriteNumber("lease_count", LeaseCount);
        w.WriteStartObject("instances");
        foreach (var i in view.Instances)
        {
            w.WriteStartObject(i.Name);
            w.WriteString("state", i.State);
            w.WriteNumber("priority", i.Priority);
            w.WriteString("master", i.Master);
            w.WriteNumber("vrid", i.Vrid);
            w.WriteString("interface", i.Interface);
            w.WriteBoolean("vips_present", i.VipsPresent);
            w.WriteStartArray("vips");
            foreach (var v in i.Vips) w.WriteStringValue(v);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    /// <summary>Flat: the event's own fields sit next to kind/instance/message so a template reads payload_json.to.</summary>
    public static string Event(RouterEvent e, string node) => Write(w =>
    {
        w.WriteString("at", e.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("node", node);
        w.WriteString("kind", e.Kind);
        w.WriteString("instance", e.Instance);
        w.WriteString("message", e.Message);
        foreach (var (k, v) in e.Fields)
            if (k is not ("at" or "node" or "kind" or "instance" or "message")) w.WriteString(k, v);
    });

    internal static string Write(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
