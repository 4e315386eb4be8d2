using Router.Integrations.Logging;
using Router.Integrations.Mqtt;
using Router.LabKit;
using Xunit.Abstractions;
using static Router.Integrations.Tests.Mqtt.FakeBroker;
using static Router.Integrations.Tests.Mqtt.MqttTestKit;

namespace Router.Integrations.Tests.Mqtt;

/// <summary>Allocation is measured process-wide: nothing else may run meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation";
}

/// <summary>
/// The client against a fake broker on loopback that announces a 150 MB packet: it must refuse it from the length
/// field, without allocating the body, reconnect with its backoff, and work once a real broker answers.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class HostileBrokerTests(ITestOutputHelper output) : IDisposable
{
    private const int Announced = 150 * 1024 * 1024;
    private readonly Mosquitto _broker = Mosquitto.Start(new MosquittoOptions { Port = Mosquitto.FreePort() });

    [Fact]
    public async Task AHugeConnAckIsRefusedUnreadThenTheClientReconnectsAndWorksThroughARealBroker()
    {
        // The first three connections get a CONNACK header announcing 150 MB; from the fourth on the fake broker
        // relays to mosquitto, so the same client, reconnecting with its own backoff, meets a real broker.
        await using var fake = new FakeBroker(hostile: 3, _broker.Options.Port, (_, _) => Frame(0x20, Announced));
        var log = new CapturedLog();
        var client = new MqttClient(Options(fake.Port), new Log(LogLevel.Debug, log));
        await using var _ = client;

        var before = GC.GetTotalAllocatedBytes(precise: true);
        client.Start();
        await UntilAsync(() => fake.Connections >= 3 && client.Status.FailedAttempts >= 3, "three refused connections",
            () => $"{fake.Connections} connections, {client.Status}\n{log.All}");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"allocated {allocated / 1024} KiB over {fake.Connections} connections announcing {Announced} bytes");

        Assert.True(allocated < 2 * 1024 * 1024, $"{allocated / 1024} KiB allocated over three 150 MB announcements");
        Assert.Contains($"announced a CONNACK of {Announced} bytes, over max_packet_size 65536", client.Status.LastError);
        var warnings = log.Lines.Where(l => l.Level == LogLevel.Warning && l.Text.Contains("max_packet_size", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings); // once per kind of failure, not once per retry

        using var sub = _broker.Subscribe("hostile/after");
        await UntilAsync(() => client.Status.Connected, "the client to connect through to mosquitto", () => $"{client.Status}\n{log.All}");
        Assert.True(client.Publish(MqttMessage.Of("hostile/after", "still works", qos: 1)));
        await sub.WaitForAsync(l => l.Any(m => m.Payload == "still works"), Patience, "the message at the real broker");
    }

    [Fact]
    public async Task AHugePublishAfterAGoodConnAckDropsTheSessionWithoutAllocatingIt()
    {
        // A broker that accepts us, then sends one PUBLISH header announcing 150 MB on every session.
        await using var fake = new FakeBroker(hostile: int.MaxValue, relayPort: 0,
            (_, _) => [.. Frame(0x20, 2), 0, 0, .. Frame(0x30, Announced)]);
        var log = new CapturedLog();
        var client = new MqttClient(Options(fake.Port), new Log(LogLevel.Debug, log));
        await using var _ = client;

        var before = GC.GetTotalAllocatedBytes(precise: true);
        client.Start();
        await UntilAsync(() => fake.Connections >= 3 && client.Status is { Connected: false, LastError: not null },
            "three sessions dropped", () => $"{fake.Connections} connections, {client.Status}\n{log.All}");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"allocated {allocated / 1024} KiB over {fake.Connections} connections announcing {Announced} bytes");

        Assert.True(allocated < 2 * 1024 * 1024, $"{allocated / 1024} KiB allocated over three 150 MB announcements");
        Assert.Contains($"announced a PUBLISH of {Announced} bytes", client.Status.LastError);
        Assert.True(client.Status.Connections >= 3, "each session was established before the PUBLISH");
    }

    [Fact]
    public async Task TheLimitIsInclusiveAndAPacketOneByteOverIsRefused()
    {
        using var ms = new MemoryStream([.. Frame(0x20, 2), 0, 0]);
        var p = await MqttPackets.ReadAsync(ms, 2, CancellationToken.None);
        Assert.Equal(0, MqttPackets.ConnAckCode(p));
        using var big = new MemoryStream([.. Frame(0x20, 3), 0, 0, 0]);
        var e = await Assert.ThrowsAsync<MqttPacketTooLargeException>(() => MqttPackets.ReadAsync(big, 2, CancellationToken.None));
        Assert.Equal(3, e.Length);
    }

    private static MqttClientOptions Options(int port) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        ClientId = "hostile-test",
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    public void Dispose() => _broker.Dispose();
}
