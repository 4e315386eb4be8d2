using System.Text.Json;
using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// routerha pairs publishing to the real mosquitto. The broker runs in the lab's client namespace on its LAN
/// address (10.77.0.100:1883), where a home server with Home Assistant would sit: both routers reach it over
/// the LAN, as in a real house (a daemon inside a namespace cannot reach the host's 127.0.0.1).
/// mosquitto_sub runs next to the broker as the real client that watches.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class MqttLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);
    private static readonly (string, string) User = ("router", "pair-pass");

    private static string MqttUci(string nodeId, string? password = null) =>
        "\nconfig mqtt\n" +
        $"\toption host '{LabTopology.AddressClient}'\n" +
        $"\toption node_id '{nodeId}'\n" +
        "\toption keepalive '5'\n" +
        (password is null ? "" : $"\toption username 'router'\n\toption password '{password}'\n");

    private static (PairLab Lab, Mosquitto Broker) Create(string? passwordA = null, string? passwordB = null, bool withUser = false)
    {
        var lab = PairLab.Create(DaemonKind.RouterHa,
            VrrpSettings.For(150, Advert) with { ExtraUci = MqttUci("rA", passwordA) },
            VrrpSettings.For(100, Advert) with { ExtraUci = MqttUci("rB", passwordB) });
        try
        {
            var broker = lab.Topology.Own(Mosquitto.Start(new MosquittoOptions
            {
                Address = LabTopology.AddressClient, Port = 1883, User = withUser ? User : null,
            }, lab.Topology.Client));
            return (lab, broker);
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    private static RouterHaNode Ha(IVrrpNode node) => (RouterHaNode)node;

    [Fact]
    public async Task AFailoverIsPublishedInOrderAndKill9MakesTheBrokerPublishOffline()
    {
        using var cts = LabAssert.Budget();
        var (lab, broker) = Create();
        using var _ = lab;
        using var sub = lab.Topology.Own(broker.Subscribe("routerha/#"));
        await lab.StartAndElectAsync(cts.Token);
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/rA/lan/state" && m.Payload == "MASTER")
                                    && l.Any(m => m.Topic == "routerha/rB/lan/state" && m.Payload == "BACKUP"),
            TimeSpan.FromSeconds(10), "both states on the broker");
        Assert.Contains($"mqtt mqtt://{LabTopology.AddressClient}:1883: connected", Ha(lab.B).Cli("status").StdOut);

        var o = await Failover.MeasureAsync(lab, FailoverKind.Kill9, cts.Token);
        Assert.Equal("B", o.AnsweredBy);
        await sub.WaitForAsync(l => l.LastOrDefault(m => m.Topic == "routerha/rA/availability")?.Payload == "offline",
            TimeSpan.FromSeconds(5), "the broker to publish A's will");
        await sub.WaitForAsync(l => l.Last(m => m.Topic == "routerha/rB/lan/state").Payload == "MASTER",
            TimeSpan.FromSeconds(5), "B's state MASTER");

        // B's events are exactly its transitions, in the order its own status lists them.
        var transitions = Ha(lab.B).Instance().Transitions.Select(t => $"{t.From}->{t.To}").ToList();
        await sub.WaitForAsync(l => l.Count(m => m.Topic == "routerha/rB/events") >= transitions.Count,
            TimeSpan.FromSeconds(5), "B's events");
        var events = sub.Lines.Where(m => m.Topic == "routerha/rB/events").Select(m => JsonDocument.Parse(m.Payload).RootElement).ToList();
        Assert.All(events, e => Assert.Equal("transition", e.GetProperty("kind").GetString()));
        Assert.Equal(transitions, events.Select(e => $"{e.GetProperty("from").GetString()}->{e.GetProperty("to").GetString()}"));
        Assert.Equal("MASTER", events[^1].GetProperty("to").GetString());
        Assert.False(string.IsNullOrEmpty(events[^1].GetProperty("reason").GetString()));

        // A late subscriber (Home Assistant restarting) still sees the whole picture from retained messages.
        using var late = lab.Topology.Own(broker.Subscribe("routerha/+/+/state"));
        await late.WaitForAsync(l => l.Count == 2, TimeSpan.FromSeconds(5), "two retained states");
        Assert.All(late.Lines, l => Assert.True(l.Retained));
        Assert.Equal("MASTER", late.Last("routerha/rB/lan/state"));
        output.WriteLine($"kill -9 failover gap with the broker up: {o.Probe.GapMs} ms; events of B: {string.Join(", ", transitions)}");
    }

    /// <summary>A peer channel on the LAN, one fenced action and a lease store: everything the status topic reports.</summary>
    private static string RoleUci(char which, string dir)
    {
        var (own, other) = which == 'A' ? (LabTopology.AddressA, LabTopology.AddressB) : (LabTopology.AddressB, LabTopology.AddressA);
        return $"\nconfig action 'svc'\n\toption kind 'command'\n\toption start '/bin/true'\n\toption stop '/bin/true'\n\toption fenced '1'\n" +
               $"\nconfig peer 'other'\n\tlist path 'lan {own} {other}'\n\toption secret 'mqtt-lab-secret-0123456789-abcdefgh'\n" +
               "\toption heartbeat_interval '0.1'\n\toption dead_interval '0.5'\n\toption fence_window '1'\n" +
               $"\nconfig leases\n\toption db_path '{Path.Combine(dir, $"leases-{which}.db")}'\n";
    }

    [Fact]
    public async Task AfterAFailoverTheStatusShowsTheNewRoleItsActionsFencePeerLinkAndLeaseCount()
    {
        using var cts = LabAssert.Budget();
        var dir = Directory.CreateTempSubdirectory("rha-mqttlab-").FullName;
        try
        {
            using var lab = PairLab.Create(DaemonKind.RouterHa,
                VrrpSettings.For(150, Advert) with { NodeName = "rA", ExtraUci = MqttUci("rA") + RoleUci('A', dir) },
                VrrpSettings.For(100, Advert) with { NodeName = "rB", ExtraUci = MqttUci("rB") + RoleUci('B', dir) });
            var broker = lab.Topology.Own(Mosquitto.Start(new MosquittoOptions { Address = LabTopology.AddressClient, Port = 1883 }, lab.Topology.Client));
            using var sub = lab.Topology.Own(broker.Subscribe("routerha/rB/status"));
            await lab.StartAndElectAsync(cts.Token);
            JsonElement Status() => JsonDocument.Parse(sub.Lines[^1].Payload).RootElement;
            // B knowing A as its master is part of the steady picture: its first status can come before A's first advert.
            await sub.WaitForAsync(l => l.Count > 0 && Status().GetProperty("peer").GetProperty("up").GetBoolean()
                                        && Status().GetProperty("role").GetProperty("finished").GetBoolean()
                                        && Status().GetProperty("instances").GetProperty("lan").GetProperty("master").ValueKind == JsonValueKind.String
                                        && Status().GetProperty("instances").GetProperty("lan").GetProperty("master").GetString() == LabTopology.AddressA.ToString(),
                TimeSpan.FromSeconds(10), "B's status with the peer up, A as its master and its BACKUP plan done");
            var backup = Status();
            Assert.False(backup.GetProperty("is_master").GetBoolean());
            Assert.Equal("BACKUP", backup.GetProperty("role").GetProperty("target").GetString());
            Assert.Equal("stop", backup.GetProperty("role").GetProperty("actions").GetProperty("svc").GetProperty("direction").GetString());
            Assert.Equal("NotMaster", backup.GetProperty("fence").GetProperty("gate").GetString());
            Assert.Equal(0, backup.GetProperty("lease_count").GetInt32());

            // Ten peer heartbeats change nothing anyone could see: no new status.
            var published = sub.Lines.Count;
            await Task.Delay(TimeSpan.FromSeconds(1), cts.Token);
            Assert.True(published == sub.Lines.Count, $"new status after heartbeats only:\n{sub.Lines[published - 1].Payload}\n->\n{sub.Lines[^1].Payload}");

            // A lease dnsmasq reports on B (through the real dhcp-script verb) shows in the count.
            var lease = Ha(lab.B).DhcpScript(["add", "02:00:00:00:00:31", "10.77.0.31", "phone"],
                new Dictionary<string, string> { ["DNSMASQ_LEASE_EXPIRES"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Assert.True(lease.Ok, lease.StdErr);
            await sub.WaitForAsync(l => Status().GetProperty("lease_count").GetInt32() == 1, TimeSpan.FromSeconds(5), "lease_count 1");

            var o = await Failover.MeasureAsync(lab, FailoverKind.Kill9, cts.Token);
            Assert.Equal("B", o.AnsweredBy);
            // Fence: A is silent on every path for fence_window (1 s), then the fenced action starts.
            await sub.WaitForAsync(l => Status().GetProperty("role") is var r && r.GetProperty("target").GetString() == "MASTER"
                                        && r.GetProperty("finished").GetBoolean(),
                TimeSpan.FromSeconds(10), "B's MASTER plan done");
            var master = Status();
            output.WriteLine(master.GetRawText());
            Assert.True(master.GetProperty("is_master").GetBoolean());
            var lan = master.GetProperty("instances").GetProperty("lan");
            Assert.Equal("MASTER", lan.GetProperty("state").GetString());
            Assert.Equal(100, lan.GetProperty("priority").GetInt32());
            Assert.Equal(LabTopology.AddressB.ToString(), lan.GetProperty("master").GetString());
            var svc = master.GetProperty("role").GetProperty("actions").GetProperty("svc");
            Assert.Equal(("start", "ok"), (svc.GetProperty("direction").GetString(), svc.GetProperty("outcome").GetString()));
            Assert.Equal("ok", master.GetProperty("role").GetProperty("actions").GetProperty("fence").GetProperty("outcome").GetString());
            var fence = master.GetProperty("fence");
            Assert.Equal("Allowed", fence.GetProperty("gate").GetString());
            Assert.Contains("silent", fence.GetProperty("reason").GetString());
            Assert.False(master.GetProperty("peer").GetProperty("up").GetBoolean());
            Assert.Equal("down", master.GetProperty("peer").GetProperty("paths").GetProperty("lan").GetString());
            Assert.Equal(1, master.GetProperty("lease_count").GetInt32());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>TLS through the release-style binary, where certificate downloads are compiled out (toolchain/README.md).</summary>
    [Fact]
    public async Task TlsWithTheTestCaAndAClientCertificateWorksInTheAotBinary()
    {
        using var cts = LabAssert.Budget();
        using var ca = TestCa.Create(LabTopology.AddressClient.ToString());
        string Tls(string nodeId) => MqttUci(nodeId) +
            $"\toption port '8883'\n\toption tls '1'\n\toption ca_file '{ca.CaCert}'\n" +
            $"\toption cert_file '{ca.ClientCert}'\n\toption key_file '{ca.ClientKey}'\n";
        using var lab = PairLab.Create(DaemonKind.RouterHa,
            VrrpSettings.For(150, Advert) with { ExtraUci = Tls("rA") },
            VrrpSettings.For(100, Advert) with { ExtraUci = Tls("rB") });
        var broker = lab.Topology.Own(Mosquitto.Start(new MosquittoOptions
        {
            Address = LabTopology.AddressClient, Port = 1883, Tls = ca, TlsPort = 8883, RequireClientCertificate = true,
        }, lab.Topology.Client));
        using var sub = lab.Topology.Own(broker.Subscribe("routerha/+/lan/state"));
        await lab.StartAndElectAsync(cts.Token);
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/rA/lan/state" && m.Payload == "MASTER")
                                    && l.Any(m => m.Topic == "routerha/rB/lan/state" && m.Payload == "BACKUP"),
            TimeSpan.FromSeconds(10), "both states over TLS");
        Assert.Contains("mqtt mqtts://10.77.0.100:8883: connected", Ha(lab.B).Cli("status").StdOut);
    }

    [Fact]
    public async Task AWrongPasswordShowsInStatusAndInTheLog()
    {
        using var cts = LabAssert.Budget();
        var (lab, broker) = Create(passwordA: "wrong", passwordB: "pair-pass", withUser: true);
        using var _ = lab;
        using var sub = lab.Topology.Own(broker.Subscribe("routerha/#", User));
        await lab.StartAndElectAsync(cts.Token);
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/rB/lan/state"), TimeSpan.FromSeconds(10), "B publishing");
        await Wait.UntilAsync(() => Ha(lab.A).Cli("status").StdOut.Contains("NOT connected", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "A's status to show the refusal", lab.Diagnostics, cts.Token);
        var status = Ha(lab.A).Cli("status").StdOut;
        Assert.Matches("mqtt mqtt://10.77.0.100:1883: NOT connected \\(connection refused: (bad user name or password|not authorized)\\)", status);
        Assert.Contains("refused", lab.A.Diagnostics());
        Assert.DoesNotContain(sub.Lines, l => l.Topic.StartsWith("routerha/rA/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFrozenBrokerDoesNotDelayTheFailover()
    {
        using var cts = LabAssert.Budget(120);
        var withBroker = await MeasureKill9Async(freezeBroker: false, cts.Token);
        var frozen = await MeasureKill9Async(freezeBroker: true, cts.Token);
        output.WriteLine($"kill -9 failover gap: broker up {withBroker} ms, broker frozen {frozen} ms");
        // Same master-down timer either way; the run-to-run spread at 100 ms adverts is about one advert.
        Assert.True(frozen <= withBroker + 150, $"frozen broker: {frozen} ms vs {withBroker} ms with the broker up");
    }

    private async Task<double> MeasureKill9Async(bool freezeBroker, CancellationToken ct)
    {
        var (lab, broker) = Create();
        using var _ = lab;
        using var sub = lab.Topology.Own(broker.Subscribe("routerha/+/lan/state"));
        await lab.StartAndElectAsync(ct);
        await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/rB/lan/state" && m.Payload == "BACKUP"),
            TimeSpan.FromSeconds(10), "B connected and publishing");
        if (freezeBroker) broker.Freeze();
        var o = await Failover.MeasureAsync(lab, FailoverKind.Kill9, ct);
        LabAssert.SilentFailoverGap(o, lab);
        if (freezeBroker)
        {
            // B still believes in the connection (keepalive 5 s): its messages sit in the socket, not in the loop.
            Assert.Contains("mqtt mqtt://10.77.0.100:1883: connected", Ha(lab.B).Cli("status").StdOut);
            broker.Thaw();
            await sub.WaitForAsync(l => l.LastOrDefault(m => m.Topic == "routerha/rB/lan/state")?.Payload == "MASTER",
                TimeSpan.FromSeconds(20), "B's MASTER once the broker thaws");
        }
        return o.Probe.GapMs;
    }
}
