using System.Globalization;
using System.Text.Json;
using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// The musl binary from the ipk with the native libraries it loads at run time, built for musl by
/// toolchain/musl-libs.sh the way OpenWrt's libsqlite3 and libopenssl3 packages provide them: SQLite (lease
/// store) and OpenSSL (.NET's crypto shim: the peer channel's HMAC-SHA256, MQTT over TLS). The root has no glibc.
/// </summary>
[Collection(PackageLabCollection.Name)]
public sealed class MuslNativeLibraryLabTests
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);
    private const string Secret = "musl-peer-secret-0123456789-abcdefgh";
    private const string DbInside = "/var/lib/routerha/leases.db";

    private static CancellationTokenSource Budget() => new(TimeSpan.FromSeconds(60));

    private static MuslRoot RootWithLibraries()
    {
        var root = MuslRoot.Create();
        try
        {
            root.InstallIpk(PackageArtifacts.RequireIpk());
            root.InstallLibraries(PackageArtifacts.RequireMuslLibs(), "libsqlite3.so.0", "libcrypto.so.3", "libssl.so.3");
            Assert.Empty(root.GlibcFiles());
            return root;
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    private static string PeerUci(string own, string other) =>
        $"\nconfig peer 'other'\n\tlist path 'lan {own} {other}'\n\toption secret '{Secret}'\n" +
        "\toption heartbeat_interval '0.2'\n\toption dead_interval '1'\n";

    [Fact]
    public async Task PeerChannelAuthenticatesWithHmacFromOpenSslUnderMusl()
    {
        using var cts = Budget();
        using var root = RootWithLibraries();
        using var topology = LabTopology.Create();
        var a = new MuslRouterHaNode(topology, "A", VrrpSettings.For(150, Advert) with
        {
            NodeName = "musl-a",
            ExtraUci = PeerUci(LabTopology.AddressA.ToString(), LabTopology.AddressB.ToString()),
        }, root);
        var b = new RouterHaNode(topology, "B", VrrpSettings.For(100, Advert) with
        {
            NodeName = "glibc-b",
            ExtraUci = PeerUci(LabTopology.AddressB.ToString(), LabTopology.AddressA.ToString()),
        });
        a.Start();
        b.Start();
        string Diagnostics() => a.Diagnostics() + "\n" + b.Diagnostics();

        JsonElement? PathOf(Func<CommandResult> status)
        {
            var r = status();
            if (!r.Ok) return null;
            using var doc = JsonDocument.Parse(r.StdOut);
            return doc.RootElement.TryGetProperty("peers", out var peers) && peers.ValueKind == JsonValueKind.Array
                ? peers.EnumerateArray().FirstOrDefault().Clone()
                : null;
        }
        CommandResult StatusA() => root.Run("/usr/sbin/routerha", "status", "--json", "-c", MuslRouterHaNode.ConfigInside);
        CommandResult StatusB() => b.Cli("status", "--json");
        bool Up(JsonElement? p) => p is { ValueKind: JsonValueKind.Object } e && e.GetProperty("up").GetBoolean();

        await Wait.UntilAsync(() => Up(PathOf(StatusA)) && Up(PathOf(StatusB)), TimeSpan.FromSeconds(15),
            "the peer path up on both routers", Diagnostics, cts.Token);
        Assert.Equal("glibc-b", PathOf(StatusA)!.Value.GetProperty("peer_node").GetString());
        Assert.Equal("musl-a", PathOf(StatusB)!.Value.GetProperty("peer_node").GetString());
        await a.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(10), cts.Token);
        AssertMapped(root, StatusA(), "libcrypto.so.3", "libssl.so.3");
    }

    [Fact]
    public async Task WithoutOpenSslAPeerConfigIsRefusedAtStartWithThePackageToInstallInsteadOfAnAbortLater()
    {
        using var cts = Budget();
        using var root = MuslRoot.Create();
        root.InstallIpk(PackageArtifacts.RequireIpk());
        root.InstallLibraries(PackageArtifacts.RequireMuslLibs(), "libsqlite3.so.0"); // no libssl / libcrypto
        using var topology = LabTopology.Create();
        var a = new MuslRouterHaNode(topology, "A", VrrpSettings.For(150, Advert) with
        {
            NodeName = "musl-a",
            ExtraUci = PeerUci(LabTopology.AddressA.ToString(), LabTopology.AddressB.ToString()),
        }, root);
        a.Start();
        await Wait.UntilAsync(() => !a.IsRunning, TimeSpan.FromSeconds(15), "routerha refusing to start", a.Diagnostics, cts.Token);
        // .NET's crypto shim would abort (exit 134) at the first handshake; the daemon says what to install instead.
        Assert.Equal(1, a.ExitCode);
        Assert.Contains("not starting: OpenSSL is required by the peer channel (HMAC-SHA256)", a.LogTail());
        Assert.Contains("opkg install libopenssl3", a.LogTail());
        var check = root.Run("/usr/sbin/routerha", "check-config", "-c", MuslRouterHaNode.ConfigInside);
        Assert.False(check.Ok);
        Assert.Contains("opkg install libopenssl3", check.StdErr);
    }

    [Fact]
    public async Task PeerChannelRefusesAWrongSecretUnderMusl()
    {
        using var cts = Budget();
        using var root = RootWithLibraries();
        using var topology = LabTopology.Create();
        var a = new MuslRouterHaNode(topology, "A", VrrpSettings.For(150, Advert) with
        {
            NodeName = "musl-a",
            ExtraUci = PeerUci(LabTopology.AddressA.ToString(), LabTopology.AddressB.ToString()),
        }, root);
        var b = new RouterHaNode(topology, "B", VrrpSettings.For(100, Advert) with
        {
            NodeName = "glibc-b",
            ExtraUci = PeerUci(LabTopology.AddressB.ToString(), LabTopology.AddressA.ToString()).Replace(Secret, "another-secret-0123456789-abcdefghij", StringComparison.Ordinal),
        });
        a.Start();
        b.Start();
        string Diagnostics() => a.Diagnostics() + "\n" + b.Diagnostics();
        string? LastError()
        {
            var r = root.Run("/usr/sbin/routerha", "status", "--json", "-c", MuslRouterHaNode.ConfigInside);
            if (!r.Ok) return null;
            using var doc = JsonDocument.Parse(r.StdOut);
            if (!doc.RootElement.TryGetProperty("peers", out var peers) || peers.ValueKind != JsonValueKind.Array) return null;
            var p = peers.EnumerateArray().First();
            Assert.False(p.GetProperty("up").GetBoolean(), "a peer with another secret was accepted");
            // Null fields are left out of the status JSON: no last_error before the first attempt.
            return p.TryGetProperty("last_error", out var e) ? e.GetString() : null;
        }
        await Wait.UntilAsync(() => LastError()?.Contains("its secret differs from ours", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(15), "A reporting the failed authentication", Diagnostics, cts.Token);
    }

    [Fact]
    public async Task LeaseStoreWorksFromTheCliAndTheDaemonUnderMusl()
    {
        using var cts = Budget();
        using var root = RootWithLibraries();
        using var topology = LabTopology.Create();
        var settings = VrrpSettings.For(150, Advert) with
        {
            NodeName = "musl-a",
            ExtraUci = $"\nconfig leases\n\toption db_path '{DbInside}'\n",
        };
        var a = new MuslRouterHaNode(topology, "A", settings, root);
        var conf = MuslRouterHaNode.ConfigInside;
        // The config the daemon will start with, in place before it runs (dnsmasq can call before routerha starts).
        root.WriteFile(conf, RouterHaNode.Render(settings, MuslRouterHaNode.SocketInside, MuslRouterHaNode.NotifyInside), "0600");
        string Expires() => DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        CommandResult DhcpScript(string mac, string ip, string host) =>
            root.Run("/usr/sbin/routerha", ["dhcp-script", "-c", conf, "add", mac, ip, host],
                new Dictionary<string, string> { ["DNSMASQ_LEASE_EXPIRES"] = Expires() });
        List<(string Ip, string Mac, string State, string? Host)> Leases()
        {
            var r = root.Run("/usr/sbin/routerha", "leases", "--json", "-c", conf);
            Assert.True(r.Ok, r.StdErr);
            using var doc = JsonDocument.Parse(r.StdOut);
            return doc.RootElement.EnumerateArray().Select(l => (l.GetProperty("ip").GetString()!, l.GetProperty("mac").GetString()!,
                l.GetProperty("state").GetString()!, l.GetProperty("hostname").GetString())).ToList();
        }

        // Daemon down: the dhcp-script process opens the store (creates it) and writes the row itself.
        var offline = DhcpScript("02:00:00:00:00:31", "10.77.0.31", "phone");
        Assert.True(offline.Ok, offline.StdErr);
        Assert.Equal([("10.77.0.31", "02:00:00:00:00:31", "active", "phone")], Leases());

        // Daemon up: it opens the same store and counts the lease; the next call is stored through it.
        a.Start();
        await a.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(10), cts.Token);
        int? Active()
        {
            var r = root.Run("/usr/sbin/routerha", "status", "--json", "-c", conf);
            if (!r.Ok) return null;
            using var doc = JsonDocument.Parse(r.StdOut);
            return doc.RootElement.TryGetProperty("leases", out var l) && l.ValueKind == JsonValueKind.Object
                ? l.GetProperty("active").GetInt32() : null;
        }
        await Wait.UntilAsync(() => Active() == 1, TimeSpan.FromSeconds(5), "the daemon's store to hold the offline lease",
            a.Diagnostics, cts.Token);
        var online = DhcpScript("02:00:00:00:00:32", "10.77.0.32", "laptop");
        Assert.True(online.Ok, online.StdErr);
        await Wait.UntilAsync(() => Active() == 2, TimeSpan.FromSeconds(5), "the daemon storing the second lease",
            a.Diagnostics, cts.Token);
        // The daemon answers once it holds the lease and commits it with the next batch (commit_interval, 500 ms).
        await Wait.UntilAsync(() => Leases().Contains(("10.77.0.32", "02:00:00:00:00:32", "active", "laptop")), TimeSpan.FromSeconds(5),
            "the second lease in the store file", a.Diagnostics, cts.Token);
        AssertMapped(root, root.Run("/usr/sbin/routerha", "status", "--json", "-c", conf), "libsqlite3.so.0");
    }

    [Fact]
    public async Task MqttOverTlsWithAClientCertificateFromTheMuslBinary()
    {
        using var cts = Budget();
        using var root = RootWithLibraries();
        using var topology = LabTopology.Create();
        using var ca = TestCa.Create(LabTopology.AddressClient.ToString());
        foreach (var f in (string[])["ca.crt", "client.crt", "client.key"])
            root.WriteFile("/etc/routerha/" + f, File.ReadAllText(Path.Combine(ca.Dir, f)), "0600");
        var a = new MuslRouterHaNode(topology, "A", VrrpSettings.For(150, Advert) with
        {
            NodeName = "musl-a",
            ExtraUci = $"\nconfig mqtt\n\toption host '{LabTopology.AddressClient}'\n\toption node_id 'rA'\n\toption keepalive '5'\n" +
                       "\toption port '8883'\n\toption tls '1'\n\toption ca_file '/etc/routerha/ca.crt'\n" +
                       "\toption cert_file '/etc/routerha/client.crt'\n\toption key_file '/etc/routerha/client.key'\n",
        }, root);
        var broker = topology.Own(Mosquitto.Start(new MosquittoOptions
        {
            Address = LabTopology.AddressClient, Port = 1883, Tls = ca, TlsPort = 8883, RequireClientCertificate = true,
        }, topology.Client));
        using var sub = topology.Own(broker.Subscribe("routerha/rA/lan/state"));
        a.Start();
        await a.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(10), cts.Token);
        await sub.WaitForAsync(l => l.Any(m => m.Payload == "MASTER"), TimeSpan.FromSeconds(10), "the MASTER state over TLS");
        var status = root.Run("/usr/sbin/routerha", "status", "-c", MuslRouterHaNode.ConfigInside);
        Assert.Contains($"mqtt mqtts://{LabTopology.AddressClient}:8883: connected", status.StdOut);
        AssertMapped(root, root.Run("/usr/sbin/routerha", "status", "--json", "-c", MuslRouterHaNode.ConfigInside), "libssl.so.3");
    }

    /// <summary>The daemon (pid from its status) has the root's musl builds mapped: they, not some other copy, did the work.</summary>
    private static void AssertMapped(MuslRoot root, CommandResult status, params string[] libraries)
    {
        Assert.True(status.Ok, status.StdErr);
        using var doc = JsonDocument.Parse(status.StdOut);
        var maps = File.ReadAllText($"/proc/{doc.RootElement.GetProperty("pid").GetInt32()}/maps");
        foreach (var lib in libraries)
            Assert.True(maps.Contains(root.PathOf("/usr/lib/" + lib), StringComparison.Ordinal), $"{lib} is not mapped by the daemon:\n{maps}");
    }
}
