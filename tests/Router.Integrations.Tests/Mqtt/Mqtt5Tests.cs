using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Router.Core.Config;
using Router.Integrations.Logging;
using Router.Integrations.Mqtt;
using Router.LabKit;
using static Router.Integrations.Tests.Mqtt.MqttTestKit;

namespace Router.Integrations.Tests.Mqtt;

/// <summary>What MQTT 5 changes for Home Assistant, against the real mosquitto (2.0.11 in Debian 12).</summary>
public sealed partial class Mqtt5Tests : IDisposable
{
    private readonly Mosquitto _broker = Mosquitto.Start(new MosquittoOptions { Port = Mosquitto.FreePort() });

    /// <summary>
    /// Home Assistant with a kept session (clean start off, session expiry 600 s) is away while the router publishes;
    /// when it returns, the broker hands it what it missed: the retained state, but an event only if it has not expired.
    /// </summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(0, true)]
    public async Task AnEventExpiresForAHomeAssistantThatReturnsLateButTheStateDoesNot(int expirySeconds, bool eventDelivered)
    {
        string[] ha = ["-h", "127.0.0.1", "-p", _broker.Options.Port.ToString(), "-V", "5", "-c", "-i", "ha-late", "-x", "600",
            "-q", "1", "-t", "routerha/r1/#", "-F", "%r %t %p"];
        var subscribed = Shell.Run("mosquitto_sub", [.. ha, "-E"]);
        Assert.True(subscribed.Ok, subscribed.StdErr);

        var expiry = expirySeconds == 0 ? (TimeSpan?)null : TimeSpan.FromSeconds(expirySeconds);
        var (p, log) = Publisher(Config(_broker, c => c with { EventExpiry = expiry }));
        using var _ = p;
        p.Publish(View("MASTER"));
        p.Publish(Transition("BACKUP", "MASTER", "higher priority"));
        await UntilAsync(() => Published(p) >= 4 && p.Health!.Contains("unacknowledged 0", StringComparison.Ordinal),
            "availability, state, status and the event acknowledged", () => $"{p.Health}\n{log.All}");
        // The broker's clock must pass the expiry: this wait is what is tested, not a stand-in for a signal.
        await Task.Delay(TimeSpan.FromSeconds(expirySeconds + 1));

        var back = Shell.Run("mosquitto_sub", [.. ha, "-W", "2"], TimeSpan.FromSeconds(10));
        var topics = back.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1]).ToList();
        Assert.Contains("routerha/r1/lan/state", topics);
        Assert.Contains("routerha/r1/availability", topics);
        Assert.Equal(eventDelivered, topics.Contains("routerha/r1/events"));
    }

    /// <summary>
    /// An event routerha held through a broker outage longer than its expiry is dropped, not sent late; one without
    /// expiry is sent after the reconnect.
    /// </summary>
    [Fact]
    public async Task AMessageHeldThroughAnOutageLongerThanItsExpiryIsDroppedNotSentLate()
    {
        var port = Mosquitto.FreePort();
        var log = new CapturedLog();
        var client = new MqttClient(Options("held", MqttProtocol.V5) with { Port = port }, new Log(LogLevel.Debug, log));
        await using var _ = client;
        var received = new ConcurrentQueue<MqttMessage>();
        client.Received += received.Enqueue;
        client.Subscribe("held/#", 1);
        client.Start();
        await UntilAsync(() => client.Status.FailedAttempts >= 1, "the client to find no broker", () => log.All);
        client.Publish(MqttMessage.Of("held/stale", "stale", qos: 1) with { Expiry = TimeSpan.FromSeconds(1) });
        client.Publish(MqttMessage.Of("held/kept", "kept", qos: 1));
        // The expiry must run out while the message waits: this wait is what is tested.
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        using var broker = Mosquitto.Start(new MosquittoOptions { Port = port });
        // Our subscription goes out before the resent messages on the new connection: "kept" comes back through it.
        await UntilAsync(() => received.Any(m => m.Topic == "held/kept"), "the message without expiry", () => log.All);
        await UntilAsync(() => client.Status.InFlight == 0, "nothing left in flight", () => $"{client.Status}");
        Assert.DoesNotContain(received, m => m.Topic == "held/stale");
        Assert.Equal(1, client.Status.Dropped);
    }

    /// <summary>Session expiry 0: the broker keeps nothing of a router that went away, so no stale command is replayed.</summary>
    [Fact]
    public async Task ACommandSentWhileTheRouterWasAwayIsNotRunWhenItReturns()
    {
        var commands = new RecordedCommands();
        var config = Config(_broker, c => c with { Commands = true });
        var (first, firstLog) = Publisher(config, commands);
        await ConnectedAsync(first, firstLog);
        first.Dispose();

        _broker.Publish("routerha/r1/command", "switchover");

        using var availability = _broker.Subscribe("routerha/r1/availability");
        var (second, log) = Publisher(config, commands);
        using var _ = second;
        // "online" follows the SUBSCRIBE on the same connection: once seen, the command topic is subscribed.
        await availability.WaitForAsync(l => l.Count > 0 && l[^1].Payload == "online", Patience, "the router back online");
        _broker.Publish("routerha/r1/command", "maintenance on");
        await UntilAsync(() => commands.Calls.Count > 0, "the command sent after its return", () => log.All);

        Assert.Equal([("maintenance", (bool?)true)], commands.Calls);
    }

    /// <summary>
    /// With MQTT 5 the limit is announced in CONNECT (Maximum Packet Size), and mosquitto withholds a bigger message
    /// from us instead of sending it; with 3.1.1 it sends it, and we can only close the connection.
    /// </summary>
    [Theory]
    [InlineData(MqttProtocol.V5)]
    [InlineData(MqttProtocol.V311)]
    public async Task AMessageOverMaxPacketSizeIsWithheldByTheBrokerWithMqtt5AndCutsTheConnectionWith311(MqttProtocol protocol)
    {
        var log = new CapturedLog();
        var client = new MqttClient(Options("mps-" + protocol, protocol) with { MaxPacketSize = 1024 }, new Log(LogLevel.Debug, log));
        await using var _ = client;
        var received = new ConcurrentQueue<MqttMessage>();
        client.Received += received.Enqueue;
        client.Subscribe("big/#", 1);
        client.Start();
        await UntilAsync(() => client.Status.Connected, "the client to connect", () => log.All);
        // Our own message comes back once the subscription (sent first on this connection) is in place.
        client.Publish(MqttMessage.Of("big/ready", "ready", qos: 1));
        await UntilAsync(() => received.Any(m => m.Topic == "big/ready"), "the subscription", () => log.All);

        _broker.Publish("big/huge", new string('x', 2000));
        _broker.Publish("big/after", "after");

        if (protocol == MqttProtocol.V5)
        {
            await UntilAsync(() => received.Any(m => m.Topic == "big/after"), "the message after the big one", () => log.All);
            Assert.DoesNotContain(received, m => m.Topic == "big/huge");
            Assert.Equal(1, client.Status.Connections);
            Assert.Contains("as mps-V5 (p5,", _broker.Log);
        }
        else
        {
            await UntilAsync(() => log.All.Contains("over max_packet_size 1024", StringComparison.Ordinal), "the connection closed", () => log.All);
            Assert.DoesNotContain(received, m => m.Topic == "big/huge");
            Assert.Contains("as mps-V311 (p2,", _broker.Log);
        }
    }

    /// <summary>A broker that refuses MQTT 5 as an unacceptable version (what a 3.1.1 broker must answer) gets 3.1.1.</summary>
    [Fact]
    public async Task ABrokerThatRefusesMqtt5IsSpokenToIn311()
    {
        await using var fake = new FakeBroker(hostile: 1, _broker.Options.Port, (_, _) => [0x20, 0x02, 0x00, 0x01]);
        var log = new CapturedLog();
        var client = new MqttClient(Options("fallback", MqttProtocol.Auto) with { Port = fake.Port }, new Log(LogLevel.Debug, log));
        await using var _ = client;
        var received = new ConcurrentQueue<MqttMessage>();
        client.Received += received.Enqueue;
        client.Subscribe("fallback/#", 1);
        client.Start();
        await UntilAsync(() => client.Status.Connected, "the client to connect in 3.1.1", () => log.All);
        // Through mosquitto and back: the 3.1.1 session subscribes, publishes and receives.
        Assert.True(client.Publish(MqttMessage.Of("fallback/works", "yes", qos: 1)));
        await UntilAsync(() => received.Any(m => m.Text == "yes"), "the message back through the 3.1.1 session", () => log.All);

        Assert.Equal(2, fake.Connections);
        Assert.Contains("does not speak MQTT 5, using MQTT 3.1.1", log.All);
        Assert.Contains("as fallback (p2,", _broker.Log);
    }

    [Fact]
    public async Task WithProtocol5TheRefusalIsReportedAndThereIsNoFallback()
    {
        await using var fake = new FakeBroker(hostile: int.MaxValue, relayPort: 0, (_, _) => [0x20, 0x02, 0x00, 0x01]);
        var log = new CapturedLog();
        var client = new MqttClient(Options("only5", MqttProtocol.V5) with { Port = fake.Port }, new Log(LogLevel.Debug, log));
        await using var _ = client;
        client.Start();
        await UntilAsync(() => client.Status.FailedAttempts >= 2, "two refusals", () => log.All);
        Assert.Equal("connection refused: unacceptable protocol version", client.Status.LastError);
        Assert.False(client.Status.Connected);
    }

    private MqttClientOptions Options(string clientId, MqttProtocol protocol) => new()
    {
        Host = "127.0.0.1",
        Port = _broker.Options.Port,
        ClientId = clientId,
        Protocol = protocol,
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
    };

    private static long Published(MqttPublisher p) => long.Parse(PublishedCount().Match(p.Health!).Groups[1].Value);

    [GeneratedRegex(@"published (\d+)")]
    private static partial Regex PublishedCount();

    public void Dispose() => _broker.Dispose();
}
