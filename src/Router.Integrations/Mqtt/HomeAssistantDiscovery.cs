using System.Text.Json;
using Router.Integrations.Events;

namespace Router.Integrations.Mqtt;

/// <summary>
/// Home Assistant MQTT discovery: retained config messages that make the router appear as one device with,
/// per instance, a binary_sensor "master" and sensors "state" and "priority", plus a "leases" sensor where leases are kept.
/// Every entity has a unique_id (so it can be renamed in HA) and follows the availability topic.
/// </summary>
public static class HomeAssistantDiscovery
{
    public sealed record Entity(string Topic, string ObjectId, string Payload);

    public static IReadOnlyList<Entity> Entities(MqttTopics t, RouterView view)
    {
        var list = new List<Entity>();
        foreach (var i in view.Instances)
        {
            list.Add(Make(t, view, "binary_sensor", $"{i.Name}_master", $"{i.Name} master", w =>
            {
                w.WriteString("state_topic", t.State(i.Name));
                w.WriteString("value_template", "{{ 'ON' if value == 'MASTER' else 'OFF' }}");
                w.WriteString("payload_on", "ON");
                w.WriteString("payload_off", "OFF");
                w.WriteString("icon", "mdi:router-network");
            }));
            list.Add(Make(t, view, "sensor", $"{i.Name}_state", $"{i.Name} state", w =>
            {
                w.WriteString("state_topic", t.State(i.Name));
                w.WriteString("icon", "mdi:swap-horizontal");
            }));
            list.Add(Make(t, view, "sensor", $"{i.Name}_priority", $"{i.Name} priority", w =>
            {
                w.WriteString("state_topic", t.Status);
                w.WriteString("value_template", $"{{{{ value_json.instances['{i.Name}'].priority }}}}");
                w.WriteString("state_class", "measurement");
            }));
        }
        // Only a router that keeps a lease store has a count to show; elsewhere the sensor would read "None".
        if (view.LeaseCount is not null)
            list.Add(Make(t, view, "sensor", "lease_count", "DHCP leases", w =>
            {
                w.WriteString("state_topic", t.Status);
                w.WriteString("value_template", "{{ value_json.lease_count }}");
                w.WriteString("state_class", "measurement");
                w.WriteString("icon", "mdi:lan-connect");
            }));
        return list;
    }

    private static Entity Make(MqttTopics t, RouterView view, string component, string objectId, string name,
        Action<Utf8JsonWriter> specific)
    {
        var payload = MqttPayloads.Write(w =>
        {
            w.WriteString("name", name);
            w.WriteString("unique_id", $"routerha_{t.NodeId}_{objectId}");
            w.WriteString("object_id", $"routerha_{t.NodeId}_{objectId}");
            specific(w);
            w.WriteString("availability_topic", t.Availability);
            w.WriteString("payload_available", "online");
            w.WriteString("payload_not_available", "offline");
            w.WriteStartObject("device");
            w.WriteStartArray("identifiers");
            w.WriteStringValue($"routerha_{t.NodeId}");
            w.WriteEndArray();
            w.WriteString("name", view.Node);
            w.WriteString("manufacturer", "RouterHA");
            w.WriteString("model", "routerha");
            w.WriteString("sw_version", view.Version);
            w.WriteEndObject();
        });
        return new Entity(t.Discovery(component, objectId), objectId, payload);
    }
}
