using Router.Integrations.DBus;
using Router.LabKit;
using Tmds.DBus.Protocol;

namespace Router.Lab.Tests;

/// <summary>
/// The D-Bus API against the real dbus-daemon: each router gets its own private system-like bus (both export the same
/// name, as two hosts would), configured with the shipped policy file; the daemon finds it through
/// DBUS_SYSTEM_BUS_ADDRESS with `option dbus 'auto'`. Callers are busctl (as root and as nobody) and a Tmds client.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class DBusLabTests
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);
    private const string InstancePath = DBusNames.InstancePathPrefix + "lan";
    /// <summary>The default: on because DBUS_SYSTEM_BUS_ADDRESS names a bus (the LabKit turns D-Bus off otherwise).</summary>
    private const string AutoDbus = "\toption dbus 'auto'\n";

    private static (PairLab Lab, SystemBus BusA, SystemBus BusB) Create(bool preempt = true)
    {
        var lab = PairLab.Create(DaemonKind.RouterHa,
            VrrpSettings.For(150, Advert) with { Preempt = preempt, GlobalUci = AutoDbus },
            VrrpSettings.For(100, Advert) with { Preempt = preempt, GlobalUci = AutoDbus });
        try
        {
            var a = lab.Topology.Own(SystemBus.Start());
            var b = lab.Topology.Own(SystemBus.Start());
            ((RouterHaNode)lab.A).ExtraEnvironment = new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = a.Address };
            ((RouterHaNode)lab.B).ExtraEnvironment = new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = b.Address };
            return (lab, a, b);
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    private static CommandResult Get(SystemBus bus, string property, string path = InstancePath, string iface = DBusNames.InstanceInterface,
        string? asUser = null) =>
        bus.Busctl(asUser, "get-property", DBusNames.BusName, path, iface, property);

    /// <summary>The name appears once the daemon has connected, a moment after its start.</summary>
    private static Task ExportedAsync(SystemBus bus, PairLab lab, CancellationToken ct) =>
        Wait.UntilAsync(() => Get(bus, "State").Ok, TimeSpan.FromSeconds(10), "the name on the bus",
            () => lab.Diagnostics() + "\nbus: " + bus.Log, ct);

    private static string Out(CommandResult r) => r.Ok ? r.StdOut.Trim() : $"failed ({r.ExitCode}): {r.StdErr.Trim()}";

    [Fact]
    public async Task BusctlReadsTheInstanceAndTheDaemonAndIntrospects()
    {
        using var cts = LabAssert.Budget();
        var (lab, busA, busB) = Create();
        using var _ = lab;
        await lab.StartAndElectAsync(cts.Token);
        await ExportedAsync(busA, lab, cts.Token);
        await ExportedAsync(busB, lab, cts.Token);

        Assert.Equal("s \"MASTER\"", Out(Get(busA, "State")));
        Assert.Equal("i 150", Out(Get(busA, "Priority")));
        Assert.Equal("i 150", Out(Get(busA, "EffectivePriority")));
        Assert.Equal($"as 1 \"{LabTopology.Vip4Cidr}\"", Out(Get(busA, "Vips")));
        Assert.Equal("b true", Out(Get(busA, "VipsPresent")));
        await Wait.UntilAsync(() => Out(Get(busB, "Master")) == "s \"10.77.0.2\"", TimeSpan.FromSeconds(3), "B naming A as master",
            lab.Diagnostics, cts.Token);
        Assert.Equal("s \"BACKUP\"", Out(Get(busB, "State")));
        Assert.Equal("b false", Out(Get(busB, "VipsPresent")));
        Assert.Equal($"ao 1 \"{InstancePath}\"", Out(Get(busA, "Instances", DBusNames.DaemonPath, DBusNames.DaemonInterface)));
        Assert.Equal("b false", Out(Get(busA, "Maintenance", DBusNames.DaemonPath, DBusNames.DaemonInterface)));

        var daemon = Out(busA.Busctl(null, "introspect", DBusNames.BusName, DBusNames.DaemonPath));
        Assert.Contains(".Switchover", daemon);
        Assert.Contains(".SetMaintenance", daemon);
        Assert.Contains(".RolePlan", daemon);
        Assert.True(daemon.Contains("org.freedesktop.DBus.Properties", StringComparison.Ordinal), daemon);
        var instance = Out(busA.Busctl(null, "introspect", DBusNames.BusName, InstancePath, DBusNames.InstanceInterface));
        foreach (var p in (string[])["Name", "Vrid", "Interface", "State", "Priority", "EffectivePriority", "Master", "Vips", "VipsPresent"])
            Assert.Contains($".{p} ", instance);
        // busctl tree walks the children the introspection names.
        Assert.Contains(InstancePath, Out(busA.Busctl(null, "tree", DBusNames.BusName)));
        Assert.Contains($"dbus {DBusNames.BusName} on {busA.Address}: exported", ((RouterHaNode)lab.A).Cli("status").StdOut);
    }

    [Fact]
    public async Task EachTransitionIsOnePropertiesChangedSignalInOrder()
    {
        using var cts = LabAssert.Budget();
        var (lab, _, busB) = Create();
        using var __ = lab;
        await lab.StartAndElectAsync(cts.Token);
        await ExportedAsync(busB, lab, cts.Token);
        using var client = new DBusConnection(busB.Address);
        await client.ConnectAsync();
        var states = new List<string>();
        using var watch = await client.WatchSignalAsync(DBusNames.BusName, InstancePath, DBusNames.PropertiesInterface, "PropertiesChanged",
            (Message m, object? _) =>
            {
                var r = m.GetBodyReader();
                var iface = r.ReadString();
                var changed = r.ReadDictionaryOfStringToVariantValue();
                return iface == DBusNames.InstanceInterface && changed.TryGetValue("State", out var v) ? v.GetString() : null;
            },
            (Notification<string?> n) =>
            {
                if (n.Type == NotificationType.Value && n.Value is { } state) lock (states) states.Add(state);
            }, ObserverFlags.None, false, null);
        var before = ((RouterHaNode)lab.B).Instance().Transitions.Count;

        // A stops (priority 0): B takes over; A comes back with its higher priority and preempts: B steps down.
        Assert.Equal(0, await lab.A.TerminateAsync(TimeSpan.FromSeconds(10)));
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        lab.A.Start();
        await lab.A.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);

        var transitions = ((RouterHaNode)lab.B).Instance().Transitions.Skip(before).Select(t => t.To).ToList();
        Assert.Equal(["MASTER", "BACKUP"], transitions);
        await Wait.UntilAsync(() => { lock (states) return states.Count >= transitions.Count; }, TimeSpan.FromSeconds(5),
            "a signal per transition", () => string.Join(", ", states), cts.Token);
        lock (states) Assert.Equal(transitions, states);
    }

    [Fact]
    public async Task SwitchoverAndMaintenanceOverDBusMoveTheVip()
    {
        using var cts = LabAssert.Budget();
        var (lab, busA, busB) = Create(preempt: false);
        using var _ = lab;
        await lab.StartAndElectAsync(cts.Token);
        await ExportedAsync(busA, lab, cts.Token);
        await ExportedAsync(busB, lab, cts.Token);

        // Names are checked, an empty one is not "all", and a backup refuses to hand over what it does not hold.
        var unknown = busA.Busctl(null, "call", DBusNames.BusName, DBusNames.DaemonPath, DBusNames.DaemonInterface, "Switchover", "s", "wan");
        Assert.False(unknown.Ok);
        Assert.Contains("no instance named 'wan'", unknown.StdErr);
        var empty = busA.Busctl(null, "call", DBusNames.BusName, DBusNames.DaemonPath, DBusNames.DaemonInterface, "Switchover", "s", "");
        Assert.False(empty.Ok);
        Assert.Contains("SwitchoverAll", empty.StdErr);
        var onBackup = busB.Busctl(null, "call", DBusNames.BusName, DBusNames.DaemonPath, DBusNames.DaemonInterface, "Switchover", "s", "lan");
        Assert.False(onBackup.Ok);
        Assert.Contains("not MASTER", onBackup.StdErr);
        Assert.Equal("MASTER", lab.A.State);

        var moved = busA.Busctl(null, "call", DBusNames.BusName, DBusNames.DaemonPath, DBusNames.DaemonInterface, "Switchover", "s", "lan");
        Assert.True(moved.Ok, moved.StdErr);
        Assert.Contains("handed over lan", moved.StdOut);
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.B, lab.A, cts.Token);

        // Maintenance on B hands the VIP back to A; B's Maintenance property says so.
        var on = busB.Busctl(null, "call", DBusNames.BusName, DBusNames.DaemonPath, DBusNames.DaemonInterface, "SetMaintenance", "b", "true");
        Assert.True(on.Ok, on.StdErr);
        await lab.A.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.A, lab.B, cts.Token);
        await Wait.UntilAsync(() => Out(Get(busB, "Maintenance", DBusNames.DaemonPath, DBusNames.DaemonInterface)) == "b true",
            TimeSpan.FromSeconds(3), "B's Maintenance property", lab.Diagnostics, cts.Token);
        Assert.True(busB.Busctl(null, "call", DBusNames.BusName, DBusNames.DaemonPath, DBusNames.DaemonInterface, "SetMaintenance", "b", "false").Ok);
        Assert.False(((RouterHaNode)lab.B).Instance().Maintenance);
    }

    [Fact]
    public async Task NobodyReadsButTheShippedPolicyRefusesItsCommands()
    {
        using var cts = LabAssert.Budget();
        var (lab, busA, _) = Create();
        using var __ = lab;
        await lab.StartAndElectAsync(cts.Token);
        await ExportedAsync(busA, lab, cts.Token);

        Assert.Equal("s \"MASTER\"", Out(Get(busA, "State", asUser: "nobody")));
        foreach (var (method, signature, arg) in (ReadOnlySpan<(string, string, string?)>)
                 [("Switchover", "s", "lan"), ("SwitchoverAll", "", null), ("SetMaintenance", "b", "true")])
        {
            string[] args = ["call", DBusNames.BusName, DBusNames.DaemonPath, DBusNames.DaemonInterface, method,
                .. signature.Length == 0 ? (string[])[] : [signature, arg!]];
            var r = busA.Busctl("nobody", args);
            Assert.False(r.Ok, $"nobody called {method}: {r.StdOut}");
            Assert.Contains("Access denied", r.StdErr);
        }
        await Wait.HoldsAsync(() => lab.A.State == "MASTER", 2 * lab.B.Settings.MasterDownInterval, "A staying MASTER",
            lab.Diagnostics, cts.Token);
        Assert.False(((RouterHaNode)lab.A).Instance().Maintenance);
    }

    [Fact]
    public async Task TheRouterOutlivesItsBusAndExportsAgainWhenItReturns()
    {
        using var cts = LabAssert.Budget();
        var (lab, busA, _) = Create();
        using var __ = lab;
        await lab.StartAndElectAsync(cts.Token);
        await ExportedAsync(busA, lab, cts.Token);

        busA.Stop();
        await Wait.UntilAsync(() => ((RouterHaNode)lab.A).Cli("status").StdOut.Contains($"{busA.Address}: lost", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "A noticing the bus is gone", lab.Diagnostics, cts.Token);
        // VRRP goes on without the bus: A stays MASTER and answers for the VIP.
        await Wait.HoldsAsync(() => lab.A.State == "MASTER", 2 * lab.B.Settings.MasterDownInterval, "A staying MASTER",
            lab.Diagnostics, cts.Token);
        busA.Launch();
        // The backoff starts at 1 s and doubles: a bus back within a few seconds is used again within seconds.
        await ExportedAsync(busA, lab, cts.Token);
        Assert.Equal("s \"MASTER\"", Out(Get(busA, "State")));
        Assert.Single(((RouterHaNode)lab.A).Log().Split('\n'), l => l.Contains("D-Bus: connection to", StringComparison.Ordinal));
    }
}
