using System.Diagnostics;
using System.Security.Cryptography;
using Router.LabKit;
using Xunit.Abstractions;

using Router.LabKit.Vm;

namespace Router.Vm.Tests;

/// <summary>
/// The arm64 image (Debian's arm64 kernel and busybox under qemu-system-aarch64 -M virt -cpu cortex-a53) with the
/// aarch64-openwrt routerha from its aarch64_cortex-a53 ipk. Its pair scenarios are in PowerOffTests and
/// GracefulStopTests (one architecture per run); here: the boot rig, a mixed pair, and MQTT over TLS.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class Arm64Tests(ITestOutputHelper output)
{
    [Fact]
    public async Task Arm64RouterBootsMuslOnlyNamesItsLanByMacAndAnswersOnTheLan()
    {
        using var rig = new VmRig(output.WriteLine);
        await rig.RunAsync(async () =>
        {
            var lan = rig.NewSegment();
            var arm = new VmSpec("arm", VmArch.Aarch64, [new VmNic("52:54:00:00:01:01", lan)], new Dictionary<string, string>
            {
                ["/etc/vm.conf"] = """
                    VM_NAME=arm
                    VM_LAN_MAC=52:54:00:00:01:01
                    VM_LAN_ADDR=10.0.0.1/24
                    VM_START=

                    """,
            });
            var sw = Stopwatch.StartNew();
            var vms = await rig.BootAllAsync(arm, RouterVm.Client(VmArch.X86_64, lan));
            output.WriteLine($"arm64 router + x86_64 client booted in {sw.Elapsed.TotalSeconds:0.0} s");
            var (router, client) = (vms[0], vms[1]);

            Assert.Equal("aarch64", (await router.Console.CheckAsync("uname -m")).Trim());
            // No glibc: the only loader is musl's, as on OpenWrt.
            Assert.Equal("ld-musl-aarch64.so.1", (await router.Console.CheckAsync("ls /lib | grep '^ld-'")).Trim());
            Assert.Contains("52:54:00:00:01:01", await router.Console.CheckAsync("cat /sys/class/net/lan/address"));
            // The virtio NIC driver came from the image's modules (Debian builds it as a module).
            Assert.Contains("virtio_net", await router.Console.CheckAsync("cat /proc/modules"));
            await client.Console.CheckAsync("ping -c 3 -W 5 10.0.0.1", TimeSpan.FromSeconds(30));
        });
    }

    /// <summary>
    /// A mixed pair, as people build one from the boards they have: an aarch64 router (A, 150) and an x86_64
    /// router (B, 100), each with its own ipk's binary, with the peer channel and the lease store. A's dnsmasq
    /// hands out a lease (its dhcp-script call); it reaches B; A loses power and B takes the VIP with the lease
    /// already there; A boots again with an empty store (it is in /tmp) and gets the lease back from B.
    /// </summary>
    [Fact]
    public async Task MixedArm64AndX86PairElectsFailsOverAndKeepsALeaseBothWays()
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        using var rig = new VmRig(output.WriteLine);
        await rig.RunAsync(async () =>
        {
            int lan = rig.NewSegment(), wanA = rig.NewSegment(), wanB = rig.NewSegment();
            var specA = RouterVm.Router(VmArch.Aarch64, "ra", 1, lan, wanA, priority: 150, preempt: false, preemptDelay: 0,
                extraConfig: RouterVm.PeerAndLeases(1, secret));
            var specB = RouterVm.Router(VmArch.X86_64, "rb", 2, lan, wanB, priority: 100, preempt: false, preemptDelay: 0,
                extraConfig: RouterVm.PeerAndLeases(2, secret));
            // A first, so it is the MASTER (no preemption).
            var first = await rig.BootAllAsync(specA, RouterVm.Client(VmArch.X86_64, lan));
            var (a, client) = (first[0], first[1]);
            await RouterVm.WaitStateAsync(a, "MASTER", TimeSpan.FromSeconds(60));
            var b = await rig.BootAsync(specB);
            await RouterVm.WaitStateAsync(b, "BACKUP", TimeSpan.FromSeconds(30));
            Assert.Equal("aarch64", (await a.Console.CheckAsync("uname -m")).Trim());
            Assert.Equal("x86_64", (await b.Console.CheckAsync("uname -m")).Trim());
            await client.Console.CheckAsync($"ping -c 3 -W 5 {RouterVm.Vip}", TimeSpan.FromSeconds(30));

            await a.Console.CheckAsync($"DNSMASQ_LEASE_EXPIRES=$(($(date +%s) + 3600)) routerha dhcp-script add {LeaseMac} {LeaseIp} laptop");
            Assert.True(await HasLeaseAsync(a), "A does not list the lease it just handed out");
            await RouterVm.PollAsync(() => HasLeaseAsync(b), TimeSpan.FromSeconds(30), "the lease replicated from the arm64 router to the x86_64 one");

            await a.PowerOffHardAsync();
            await RouterVm.WaitStateAsync(b, "MASTER", TimeSpan.FromSeconds(20));
            await client.Console.CheckAsync($"ping -c 3 -W 5 {RouterVm.Vip}", TimeSpan.FromSeconds(30));
            Assert.True(await HasLeaseAsync(b), "B lost the lease in the failover");

            a = await rig.BootAsync(specA);
            await RouterVm.WaitStateAsync(a, "BACKUP", TimeSpan.FromSeconds(60));
            await RouterVm.PollAsync(() => HasLeaseAsync(a), TimeSpan.FromSeconds(60), "the lease replicated back from the x86_64 router to the rebooted arm64 one");
            Assert.Equal("MASTER", (await RouterVm.LogAsync(b)).State);
        });
    }

    private const string LeaseMac = "52:54:00:aa:00:01";
    private const string LeaseIp = "10.0.0.50";

    private static async Task<bool> HasLeaseAsync(VmMachine router)
    {
        var json = await router.Console.CheckAsync("routerha leases --json");
        return json.Contains($"\"{LeaseMac}\"", StringComparison.Ordinal) && json.Contains($"\"{LeaseIp}\"", StringComparison.Ordinal);
    }

    /// <summary>
    /// The arm64 router publishes its role to a real mosquitto on the host over TLS with a client certificate: the
    /// .NET TLS stack of the aarch64 binary over the image's musl OpenSSL (the libopenssl3 the ipk depends on).
    /// The broker is reached through the VM's management NIC (QEMU user-mode, one forward to the host's loopback).
    /// </summary>
    [Fact]
    public async Task Arm64RouterPublishesItsRoleToMosquittoOverTlsWithAClientCertificate()
    {
        const string brokerInGuest = "10.0.2.100";
        using var ca = TestCa.Create(brokerInGuest);
        using var broker = Mosquitto.Start(new MosquittoOptions
        {
            Port = Mosquitto.FreePort(), Tls = ca, TlsPort = Mosquitto.FreePort(), RequireClientCertificate = true,
        });
        using var sub = broker.Subscribe("routerha/ra/#");
        using var rig = new VmRig(output.WriteLine);
        await rig.RunAsync(async () =>
        {
            var files = ((string[])["ca.crt", "client.crt", "client.key"]).ToDictionary(f => "/etc/routerha/" + f, f => File.ReadAllText(Path.Combine(ca.Dir, f)));
            var spec = RouterVm.Router(VmArch.Aarch64, "ra", 1, rig.NewSegment(), rig.NewSegment(), priority: 150, preempt: true, preemptDelay: 0,
                extraConfig: $"""

                    config mqtt
                    	option host '{brokerInGuest}'
                    	option port '8883'
                    	option node_id 'ra'
                    	option tls '1'
                    	option ca_file '/etc/routerha/ca.crt'
                    	option cert_file '/etc/routerha/client.crt'
                    	option key_file '/etc/routerha/client.key'

                    """,
                files: files, mgmt: new VmHostService(brokerInGuest, 8883, broker.Options.TlsPort));
            var a = await rig.BootAsync(spec);
            await RouterVm.WaitStateAsync(a, "MASTER", TimeSpan.FromSeconds(60));
            await sub.WaitForAsync(l => l.Any(m => m.Topic == "routerha/ra/lan/state" && m.Payload == "MASTER"), TimeSpan.FromSeconds(60),
                "the arm64 router's MASTER state over TLS");
            Assert.Equal("online", sub.Last("routerha/ra/availability"));
            Assert.Contains($"mqtt mqtts://{brokerInGuest}:8883: connected", await a.Console.CheckAsync("routerha status"));
        });
    }
}
