using System.Text.Json;
using Router.LabKit;
using static Router.Integrations.Tests.Mqtt.MqttTestKit;

namespace Router.Integrations.Tests.Mqtt;

/// <summary>The publisher against the real mosquitto on the host's loopback, watched by a real mosquitto_sub.</summary>
public sealed class MqttPublishTests : IDisposable
{
    private readonly Mosquitto _broker = Mosquitto.Start(new MosquittoOptions { Port = Mosquitto.FreePort() });

    [Fact]
    public async Task ANewSubscriberGetsTheRetainedStateStatusAndAvailability()
    {
        var (p, log) = Publisher(Config(_broker));
        using var _ = p;
        p.Publish(View("MASTER"));
        using (var first = _broker.Subscribe("routerha/r1/#"))
            await first.WaitForAsync(l => l.Any(m => m.Topic == "routerha/r1/status"), Patience, "the status to be published");
        await UntilAsync(() => p.Health!.Contains("unacknowledged 0", StringComparison.Ordinal), "every message acknowledged", () => p.Health!);

        using var late = _broker.Subscribe("routerha/r1/#");
        await late.WaitForAsync(l => l.Count >= 3, Patience, "three retained messages");
        var lines = late.Lines;
        Assert.All(lines, l => Assert.True(l.Retained, $"{l.Topic} retained"));
        Assert.Equal("MASTER", late.Last("routerha/r1/lan/state"));
        Assert.Equal("online", late.Last("routerha/r1/availability"));
        using var status = JsonDocument.Parse(late.Last("routerha/r1/status")!);
        var root = status.RootElement;
        Assert.Equal("r1", root.GetProperty("node").GetString());
        Assert.True(root.GetProperty("is_master").GetBoolean());
        Assert.Equal(3, root.GetProperty("lease_count").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("role").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("fence").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("peer").ValueKind);
        var lan = root.GetProperty("instances").GetProperty("lan");
        Assert.Equal("MASTER", lan.GetProperty("state").GetString());
        Assert.Equal(150, lan.GetProperty("priority").GetInt32());
        Assert.Equal("10.0.0.2", lan.GetProperty("master").GetString());
    }

    [Fact]
    public async Task StatusCarriesTheRoleActionsFenceLeaseCountAndPeerLink()
    {
        var (p, log) = Publisher(Config(_broker));
        using var _ = p;
        using var sub = _broker.Subscribe("routerha/r1/status");
        p.Publish(FullView());
        await sub.WaitForAsync(l => l.Count == 1, Patience, "the status");

        var root = JsonDocument.Parse(sub.Lines[0].Payload).RootElement;
        Assert.Equal(3, root.GetProperty("lease_count").GetInt32());
        var role = root.GetProperty("role");
        Assert.Equal("MASTER", role.GetProperty("target").GetString());
        Assert.True(role.GetProperty("finished").GetBoolean());
        Assert.Equal("Up", role.GetProperty("tunnel").GetString());
        Assert.False(role.GetProperty("fence_demoted").GetBoolean());
        var actions = role.GetProperty("actions");
        Assert.Equal(["wan", "fence", "glorytun", "dnsmasq"], actions.EnumerateObject().Select(a => a.Name));
        Assert.Equal("tunnel", actions.GetProperty("glorytun").GetProperty("phase").GetString());
        Assert.Equal("start", actions.GetProperty("glorytun").GetProperty("direction").GetString());
        Assert.Equal("ok", actions.GetProperty("wan").GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, actions.GetProperty("wan").GetProperty("error").ValueKind);
        Assert.Equal("failed", actions.GetProperty("dnsmasq").GetProperty("outcome").GetString());
        Assert.Equal("exit code 1", actions.GetProperty("dnsmasq").GetProperty("error").GetString());
        var fence = root.GetProperty("fence");
        Assert.Equal("Allowed", fence.GetProperty("gate").GetString());
        Assert.Equal("peer confirmed its tunnel is released", fence.GetProperty("reason").GetString());
        Assert.False(fence.GetProperty("dual_master").GetBoolean());
        Assert.Equal(2, fence.GetProperty("dual_master_episodes").GetInt64());
        var peer = root.GetProperty("peer");
        Assert.True(peer.GetProperty("up").GetBoolean());
        Assert.Equal("up", peer.GetProperty("paths").GetProperty("lan").GetString());
        Assert.Equal("down", peer.GetProperty("paths").GetProperty("wan").GetString());
    }

    [Fact]
    public async Task AnUnchangedViewIsNotPublishedAgainButANewLeaseCountIs()
    {
        var (p, log) = Publisher(Config(_broker));
        using var _ = p;
        using var sub = _broker.Subscribe("routerha/r1/#");
        p.Publish(FullView());
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/r1/status"), Patience, "the first status");
        // What a heartbeat turn would push: equal content, new objects.
        for (var i = 0; i < 5; i++) p.Publish(FullView());
        p.Publish(FullView() with { LeaseCount = 4 });
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/r1/status" && m.Payload.Contains("\"lease_count\":4", StringComparison.Ordinal)),
            Patience, "the status with 4 leases");
        await UntilAsync(() => p.Health!.Contains("unacknowledged 0", StringComparison.Ordinal), "every message acknowledged", () => p.Health!);

        Assert.Equal(2, sub.Lines.Count(m => m.Topic == "routerha/r1/status"));
        Assert.Equal(1, sub.Lines.Count(m => m.Topic == "routerha/r1/lan/state"));
    }

    [Fact]
    public async Task OnlyTheNewestStateIsPublishedAndEventsArriveInOrder()
    {
        var (p, log) = Publisher(Config(_broker));
        using var _ = p;
        using var sub = _broker.Subscribe("routerha/r1/#");
        p.Publish(View("BACKUP", 100));
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/r1/lan/state" && m.Payload == "BACKUP"), Patience, "BACKUP");
        // A burst: three views and three events in one go. Events keep every step; the state topic ends at the newest.
        p.Publish(MqttTestKit.Transition("BACKUP", "MASTER", "master down"));
        p.Publish(View("MASTER"));
        p.Publish(MqttTestKit.Transition("MASTER", "BACKUP", "switchover"));
        p.Publish(View("BACKUP", 100));
        p.Publish(MqttTestKit.Transition("BACKUP", "MASTER", "preempt"));
        p.Publish(View("MASTER"));
        await sub.WaitForAsync(l => l.Count(m => m.Topic == "routerha/r1/events") == 3, Patience, "three events");
        await sub.WaitForAsync(l => l.Last(m => m.Topic == "routerha/r1/lan/state").Payload == "MASTER", Patience, "MASTER last");

        var events = sub.Lines.Where(m => m.Topic == "routerha/r1/events").Select(m => JsonDocument.Parse(m.Payload).RootElement).ToList();
        Assert.Equal(["master down", "switchover", "preempt"], events.Select(e => e.GetProperty("reason").GetString()));
        Assert.All(events, e => Assert.Equal("transition", e.GetProperty("kind").GetString()));
        Assert.All(sub.Lines.Where(m => m.Topic == "routerha/r1/events"), m => Assert.False(m.Retained));
        Assert.Equal("BACKUP", events[1].GetProperty("to").GetString());
    }

    [Fact]
    public async Task AFrozenBrokerIsNoticedByKeepaliveAndEventsHeldMeanwhileArriveInOrderAfter()
    {
        var (p, log) = Publisher(Config(_broker, c => c with { Keepalive = TimeSpan.FromSeconds(5) }));
        using var _ = p;
        using var sub = _broker.Subscribe("routerha/r1/#");
        p.Publish(View("BACKUP", 100));
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/r1/lan/state"), Patience, "the first state");
        _broker.Freeze();
        // No PINGRESP for 1.5 keepalives (checked every half keepalive): declared gone within 10 s.
        await Wait.UntilAsync(() => p.Health!.Contains("NOT connected", StringComparison.Ordinal), TimeSpan.FromSeconds(15),
            "the frozen broker to be declared gone", () => $"{p.Health}\n{log.All}");
        Assert.Contains("no answer from the broker", p.Health);

        p.Publish(MqttTestKit.Transition("BACKUP", "MASTER", "master down"));
        p.Publish(View("MASTER"));
        p.Publish(MqttTestKit.Transition("MASTER", "BACKUP", "switchover"));
        p.Publish(View("BACKUP", 100));
        p.Publish(MqttTestKit.Transition("BACKUP", "MASTER", "preempt"));
        p.Publish(View("MASTER"));
        await UntilAsync(() => p.Health!.Contains("unacknowledged 3", StringComparison.Ordinal), "three events held", () => p.Health!);
        _broker.Thaw();

        await sub.WaitForAsync(l => l.Count(m => m.Topic == "routerha/r1/events") == 3, TimeSpan.FromSeconds(30), "the three held events");
        await sub.WaitForAsync(l => l.Last(m => m.Topic == "routerha/r1/lan/state").Payload == "MASTER", Patience, "the current state");
        var reasons = sub.Lines.Where(m => m.Topic == "routerha/r1/events")
            .Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("reason").GetString());
        Assert.Equal(["master down", "switchover", "preempt"], reasons);
        Assert.Contains(log.Lines, l => l.Text.Contains("resending 3 unacknowledged", StringComparison.Ordinal));
        await sub.WaitForAsync(l => l.Last(m => m.Topic == "routerha/r1/availability").Payload == "online", Patience, "online again");
    }

    [Fact]
    public async Task WithTheBrokerGonePublishReturnsAtOnceAndMemoryStaysBounded()
    {
        var (p, log) = Publisher(Config(_broker));
        using var _ = p;
        p.Publish(View("BACKUP", 100));
        await ConnectedAsync(p, log);
        _broker.Dispose();
        await UntilAsync(() => p.Health!.Contains("NOT connected", StringComparison.Ordinal), "the loss to show in Health", () => p.Health!);

        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
        {
            p.Publish(View(i % 2 == 0 ? "MASTER" : "BACKUP"));
            p.Publish(MqttTestKit.Transition("BACKUP", "MASTER", $"burst {i}"));
        }
        var perCall = sw.Elapsed / 20_000;
        Assert.True(perCall < TimeSpan.FromMilliseconds(0.1), $"Publish took {perCall.TotalMicroseconds:0} µs per call");
        await UntilAsync(() => p.Health!.Contains("unacknowledged 64,", StringComparison.Ordinal), "the in-flight window to fill", () => p.Health!);
        Assert.Matches(@"dropped [1-9]\d*", p.Health);
        await UntilAsync(() => p.Health!.Contains("Connection refused", StringComparison.Ordinal), "the reason in Health", () => p.Health!);
    }

    public void Dispose() => _broker.Dispose();
}
