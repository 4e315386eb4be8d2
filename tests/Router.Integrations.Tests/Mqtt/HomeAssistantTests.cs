using System.Text.Json;
using Router.LabKit;
using static Router.Integrations.Tests.Mqtt.MqttTestKit;

namespace Router.Integrations.Tests.Mqtt;

/// <summary>Discovery payloads as docs/mqtt.md documents them, re-sent when Home Assistant says "online"; commands.</summary>
public sealed class HomeAssistantTests : IDisposable
{
    private readonly Mosquitto _broker = Mosquitto.Start(new MosquittoOptions { Port = Mosquitto.FreePort() });

    private static readonly string[] Common =
        ["name", "unique_id", "object_id", "state_topic", "availability_topic", "payload_available", "payload_not_available", "device"];

    [Fact]
    public async Task DiscoveryConfigsCarryTheDocumentedFieldsAndOneDevice()
    {
        var (p, log) = Publisher(Config(_broker));
        using var _ = p;
        using var sub = _broker.Subscribe("homeassistant/#");
        p.Publish(View("MASTER"));
        await sub.WaitForAsync(l => l.Count == 4, Patience, "four discovery configs");

        var configs = sub.Lines.ToDictionary(l => l.Topic, l => JsonDocument.Parse(l.Payload).RootElement);
        Assert.Equal(
            ["homeassistant/binary_sensor/routerha_r1/lan_master/config", "homeassistant/sensor/routerha_r1/lan_priority/config",
             "homeassistant/sensor/routerha_r1/lan_state/config", "homeassistant/sensor/routerha_r1/lease_count/config"],
            configs.Keys.Order());
        foreach (var (topic, c) in configs)
        {
            foreach (var field in Common) Assert.True(c.TryGetProperty(field, out var _), $"{topic} has {field}");
            Assert.Equal("routerha/r1/availability", c.GetProperty("availability_topic").GetString());
            var device = c.GetProperty("device");
            Assert.Equal("routerha_r1", device.GetProperty("identifiers")[0].GetString());
            Assert.Equal("1.2.3-test", device.GetProperty("sw_version").GetString());
        }
        Assert.Equal(configs.Count, configs.Values.Select(c => c.GetProperty("unique_id").GetString()).Distinct().Count());
        var master = configs["homeassistant/binary_sensor/routerha_r1/lan_master/config"];
        Assert.Equal("routerha/r1/lan/state", master.GetProperty("state_topic").GetString());
        Assert.Equal("ON", master.GetProperty("payload_on").GetString());
        Assert.Contains("MASTER", master.GetProperty("value_template").GetString());
        var priority = configs["homeassistant/sensor/routerha_r1/lan_priority/config"];
        Assert.Equal("routerha/r1/status", priority.GetProperty("state_topic").GetString());
        Assert.Equal("{{ value_json.instances['lan'].priority }}", priority.GetProperty("value_template").GetString());
        Assert.Equal("{{ value_json.lease_count }}",
            configs["homeassistant/sensor/routerha_r1/lease_count/config"].GetProperty("value_template").GetString());
    }

    [Fact]
    public async Task ARouterWithoutALeaseStoreGetsNoLeaseSensor()
    {
        var (p, log) = Publisher(Config(_broker));
        using var _ = p;
        using var sub = _broker.Subscribe("homeassistant/#");
        p.Publish(View("MASTER", leases: null));
        await sub.WaitForAsync(l => l.Count == 3, Patience, "three discovery configs");
        await UntilAsync(() => p.Health!.Contains("unacknowledged 0", StringComparison.Ordinal), "every message acknowledged", () => p.Health!);
        Assert.DoesNotContain(sub.Lines, l => l.Topic.Contains("lease_count", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HomeAssistantComingOnlineGetsDiscoveryAgainAndCommandsStayOffByDefault()
    {
        var commands = new RecordedCommands();
        var (p, log) = Publisher(Config(_broker), commands);
        using var _ = p;
        using var sub = _broker.Subscribe("homeassistant/+/+/+/config");
        p.Publish(View("MASTER"));
        await sub.WaitForAsync(l => l.Count == 4, Patience, "the first discovery");
        _broker.Publish("routerha/r1/command", "switchover");
        _broker.Publish("homeassistant/status", "online");
        await sub.WaitForAsync(l => l.Count == 8, Patience, "discovery again after HA's online");
        // The command went to the broker before HA's "online", and was ignored: the command topic is off.
        Assert.Empty(commands.Calls);
    }

    [Fact]
    public async Task WithCommandsOnSwitchoverAndMaintenanceReachTheDaemonAndTheOutcomeIsAnEvent()
    {
        var commands = new RecordedCommands();
        var (p, log) = Publisher(Config(_broker, c => c with { Commands = true }), commands);
        using var _ = p;
        using var sub = _broker.Subscribe("routerha/r1/events");
        p.Publish(View("MASTER"));
        await ConnectedAsync(p, log);
        await UntilAsync(() => p.Health!.Contains("unacknowledged 0", StringComparison.Ordinal), "subscriptions settled", () => p.Health!);
        _broker.Publish("routerha/r1/command", "switchover");
        _broker.Publish("routerha/r1/command", "maintenance on");
        _broker.Publish("routerha/r1/command", "reboot");
        await sub.WaitForAsync(l => l.Count == 3, Patience, "three command outcomes");
        Assert.Equal([("switchover", (bool?)null), ("maintenance", true)], commands.Calls);
        var outcomes = sub.Lines.Select(l => JsonDocument.Parse(l.Payload).RootElement).ToList();
        Assert.All(outcomes, o => Assert.Equal("command", o.GetProperty("kind").GetString()));
        Assert.Equal(["true", "true", "false"], outcomes.Select(o => o.GetProperty("ok").GetString()));
        Assert.Contains("unknown command 'reboot'", outcomes[2].GetProperty("message").GetString());
    }

    public void Dispose() => _broker.Dispose();
}
