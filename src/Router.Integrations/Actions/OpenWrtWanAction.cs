using System.Text.Json;
using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>
/// OpenWrt WAN interfaces via netifd: `ubus call network.interface.NAME up|down`, plus `network.NAME.auto` persisted
/// (1 on MASTER, 0 otherwise): `down` alone lasts only until the next `ifup`, netifd restart or reboot. OMR's
/// multipath flag (network.NAME.multipath) is touched only when configured, and set before the interface comes up
/// so the MPTCP hotplug sees it.
/// </summary>
public sealed class OpenWrtWanAction(IReadOnlyList<string> interfaces, string? multipathMaster, string? multipathBackup, OpenWrtSystem sys) : IDriftCheckedAction
{
    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var start = context.Direction == ActionDirection.Start;
        if (start) await UciSwitches.EnsureAsync(sys, Switches(start), start, cancellationToken);
        foreach (var name in interfaces)
            await sys.Runner.RunCheckedAsync(["ubus", "call", $"network.interface.{name}", start ? "up" : "down"], null, cancellationToken);
        if (!start) await UciSwitches.EnsureAsync(sys, Switches(start), start, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> DriftAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var start = context.Direction == ActionDirection.Start;
        var lines = new List<string>();
        foreach (var name in interfaces)
        {
            var argv = new[] { "ubus", "call", $"network.interface.{name}", "status" };
            var r = await sys.Runner.RunAsync(argv, null, cancellationToken);
            if (r.ExitCode != 0)
                throw new ActionFailedException($"{string.Join(' ', argv)}: exit code {r.ExitCode}{(r.Output.Length > 0 ? ": " + r.Output : "")}");
            var up = IsUp(r.Output, name);
            if (up != start) lines.Add($"wan: {name} is {(up ? "up" : "down")}");
        }
        lines.AddRange(await UciSwitches.DriftAsync(sys, "wan", Switches(start), start, cancellationToken));
        return lines;
    }

    /// <summary>auto (unset = 1, netifd's default) and the configured multipath value of this direction, as switches
    /// whose wanted value is the one this direction sets.</summary>
    private IEnumerable<UciSwitch> Switches(bool start)
    {
        var multipath = start ? multipathMaster : multipathBackup;
        foreach (var name in interfaces)
        {
            yield return new UciSwitch("network", name, "auto", "1", "0", AbsentIsOn: true);
            if (multipath is not null) yield return UciSwitch.Exactly("network", name, "multipath", multipath, start);
        }
    }

    private static bool IsUp(string json, string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("up", out var up) && up.ValueKind is JsonValueKind.True or JsonValueKind.False)
                return up.GetBoolean();
        }
        catch (JsonException) { }
        throw new ActionFailedException($"ubus call network.interface.{name} status: no \"up\" field in its answer");
    }
}
