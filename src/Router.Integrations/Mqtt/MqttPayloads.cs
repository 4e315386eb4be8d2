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
    public static string Status(RouterView view, string nodeId) => Write(w =>
    {
        w.WriteString("node", view.Node);
        w.WriteString("node_id", nodeId);
        w.WriteString("version", view.Version);
        w.WriteBoolean("maintenance", view.Maintenance);
        w.WriteBoolean("is_master", view.Instances.Any(i => i.State == "MASTER"));
        if (view.LeaseCount is { } leases) w.WriteNumber("lease_count", leases);
        else w.WriteNull("lease_count");
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
        Role(w, view.Role);
        Fence(w, view.Fence);
        Peer(w, view.PeerPaths);
        Enforcement(w, view.Enforcement);
    });

    private static void Enforcement(Utf8JsonWriter w, EnforcementView? enforcement)
    {
        if (enforcement is null)
        {
            w.WriteNull("enforcement");
            return;
        }
        w.WriteStartObject("enforcement");
        w.WriteNumber("interval_s", enforcement.IntervalS);
        w.WriteBoolean("active", enforcement.Active);
        w.WriteStartObject("actions");
        foreach (var a in enforcement.Actions)
        {
            w.WriteStartObject(a.Action);
            w.WriteString("state", a.State);
            w.WriteNumber("episodes", a.Episodes);
            w.WriteNumber("corrections", a.Corrections);
            w.WriteString("drift", a.Drift);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Role(Utf8JsonWriter w, RoleView? role)
    {
        if (role is null)
        {
            w.WriteNull("role");
            return;
        }
        w.WriteStartObject("role");
        w.WriteString("target", role.Target);
        w.WriteBoolean("finished", role.Finished);
        w.WriteString("tunnel", role.Tunnel);
        w.WriteBoolean("fence_demoted", role.FenceDemoted);
        w.WriteStartObject("actions");
        foreach (var a in role.Actions)
        {
            w.WriteStartObject(a.Name);
            w.WriteString("phase", a.Phase);
            w.WriteString("direction", a.Direction);
            w.WriteString("outcome", a.Outcome);
            w.WriteString("error", a.Error);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Fence(Utf8JsonWriter w, FenceView? fence)
    {
        if (fence is null)
        {
            w.WriteNull("fence");
            return;
        }
        w.WriteStartObject("fence");
        w.WriteString("gate", fence.Gate);
        w.WriteString("reason", fence.Reason);
        w.WriteBoolean("dual_master", fence.DualMaster);
        w.WriteNumber("dual_master_episodes", fence.DualMasterEpisodes);
        if (fence.Agent is { } a)
        {
            w.WriteStartObject("agent");
            w.WriteString("outcome", a.Outcome);
            w.WriteString("detail", a.Detail);
            w.WriteNumber("runs", a.Runs);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>up: at least one path carries the authenticated channel.</summary>
    private static void Peer(Utf8JsonWriter w, IReadOnlyList<PeerLinkView>? paths)
    {
        if (paths is null)
        {
            w.WriteNull("peer");
            return;
        }
        w.WriteStartObject("peer");
        w.WriteBoolean("up", paths.Any(p => p.Up));
        w.WriteStartObject("paths");
        foreach (var p in paths) w.WriteString(p.Path, p.Up ? "up" : "down");
        w.WriteEndObject();
        w.WriteEndObject();
    }

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
