using Router.Core.Text;
using Router.Integrations.Events;

namespace Router.Integrations.DBus;

/// <summary>The properties of the two interfaces, computed from the view the loop published (pure: the tests compare
/// these lists). Order is the order of the introspection XML. Text that may come from outside (script errors, the
/// fence's reasons) passes SafeText; an absent value is "" rather than a missing property, so GetAll is stable.</summary>
internal static class DBusProperties
{
    public static IReadOnlyList<KeyValuePair<string, DBusValue>> Instance(InstanceView i) =>
    [
        new("Name", new StringValue(Clean(i.Name))),
        new("Vrid", new IntValue(i.Vrid)),
        new("Interface", new StringValue(Clean(i.Interface))),
        new("State", new StringValue(i.State)),
        new("Priority", new IntValue(i.ConfiguredPriority)),
        new("EffectivePriority", new IntValue(i.Priority)),
        new("Master", new StringValue(Clean(i.Master))),
        new("Vips", new ListValue(i.Vips)),
        new("VipsPresent", new BoolValue(i.VipsPresent)),
    ];

    public static IReadOnlyList<KeyValuePair<string, DBusValue>> Daemon(RouterView v) =>
    [
        new("Node", new StringValue(Clean(v.Node))),
        new("Version", new StringValue(Clean(v.Version))),
        new("Maintenance", new BoolValue(v.Maintenance)),
        new("Instances", new ListValue(v.Instances.Select(i => DBusNames.InstancePath(i.Name)).ToList(), Paths: true)),
        new("RoleTarget", new StringValue(v.Role?.Target ?? "")),
        new("RoleFinished", new BoolValue(v.Role?.Finished ?? true)),
        new("Tunnel", new StringValue(v.Role?.Tunnel ?? "")),
        new("RolePlan", new PlanValue((v.Role?.Actions ?? []).Select(a => a with
        {
            Name = Clean(a.Name),
            Error = a.Error is null ? null : Clean(a.Error),
        }).ToList())),
        new("FenceGate", new StringValue(v.Fence?.Gate ?? "")),
        new("FenceReason", new StringValue(Clean(v.Fence?.Reason))),
        new("DualMaster", new BoolValue(v.Fence?.DualMaster ?? false)),
    ];

    /// <summary>The properties whose value differs, in declaration order; every one when there was no old list.</summary>
    public static List<KeyValuePair<string, DBusValue>> Changed(IReadOnlyList<KeyValuePair<string, DBusValue>>? old,
        IReadOnlyList<KeyValuePair<string, DBusValue>> now)
    {
        if (old is null) return now.ToList();
        var changed = new List<KeyValuePair<string, DBusValue>>();
        for (var k = 0; k < now.Count; k++)
            if (k >= old.Count || !old[k].Value.Equals(now[k].Value)) changed.Add(now[k]);
        return changed;
    }

    private static string Clean(string? text) => SafeText.Clean(text) ?? "";
}
