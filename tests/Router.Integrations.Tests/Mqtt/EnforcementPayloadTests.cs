using System.Text.Json;
using Router.Integrations.Events;
using Router.Integrations.Mqtt;

namespace Router.Integrations.Tests.Mqtt;

/// <summary>The status topic's `enforcement` object and the `drift` event, as docs/mqtt.md documents them.</summary>
public class EnforcementPayloadTests
{
    [Fact]
    public void StatusCarriesEachDriftCheckedActionWithItsCounters()
    {
        var view = new RouterView("omr-b", "1.0", false, [])
        {
            Enforcement = new EnforcementView(5, true, [new DriftView("vpn", "drifting", 3, 4, "vpn: running (check exited 0)"),
                new DriftView("dhcp", "in_state", 0, 0, null)]),
        };
        var e = JsonDocument.Parse(MqttPayloads.Status(view, "omr-b")).RootElement.GetProperty("enforcement");
        Assert.Equal((5.0, true), (e.GetProperty("interval_s").GetDouble(), e.GetProperty("active").GetBoolean()));
        var vpn = e.GetProperty("actions").GetProperty("vpn");
        Assert.Equal(("drifting", 3, 4, "vpn: running (check exited 0)"), (vpn.GetProperty("state").GetString(), vpn.GetProperty("episodes").GetInt32(),
            vpn.GetProperty("corrections").GetInt32(), vpn.GetProperty("drift").GetString()));
        Assert.Equal(JsonValueKind.Null, e.GetProperty("actions").GetProperty("dhcp").GetProperty("drift").ValueKind);
    }

    [Fact]
    public void WithoutDriftCheckedActionsEnforcementIsNull() =>
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(MqttPayloads.Status(new RouterView("a", "1", false, []), "a"))
            .RootElement.GetProperty("enforcement").ValueKind);

    [Fact]
    public void TheDriftEventIsFlatWithItsFields()
    {
        var e = new RouterEvent(DateTimeOffset.UnixEpoch, "drift", null, "vpn drifted from its BACKUP state: running",
            new Dictionary<string, string> { ["action"] = "vpn", ["target"] = "BACKUP", ["corrected"] = "true" });
        var root = JsonDocument.Parse(MqttPayloads.Event(e, "omr-b")).RootElement;
        Assert.Equal(("drift", "vpn", "BACKUP", "true"), (root.GetProperty("kind").GetString(), root.GetProperty("action").GetString(),
            root.GetProperty("target").GetString(), root.GetProperty("corrected").GetString()));
    }
}
