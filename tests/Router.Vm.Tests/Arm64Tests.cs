using System.Diagnostics;
using Xunit.Abstractions;

namespace Router.Vm.Tests;

/// <summary>The same image builder for arm64: Debian's arm64 kernel and busybox under qemu-system-aarch64 -M virt -cpu cortex-a53.</summary>
[Collection(VmCollection.Name)]
public sealed class Arm64Tests(ITestOutputHelper output)
{
    [Fact]
    public async Task Arm64RouterBootsMuslOnlyNamesItsLanByMacAndAnswersOnTheLan()
    {
        using var rig = new VmRig(output);
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

    [Arm64RouterHaFact]
    public async Task Arm64RouterHaWinsTheElectionAgainstAnX86Router()
    {
        using var rig = new VmRig(output);
        await rig.RunAsync(async () =>
        {
            int lan = rig.NewSegment(), wanA = rig.NewSegment(), wanB = rig.NewSegment();
            var vms = await rig.BootAllAsync(
                RouterVm.Router(VmArch.Aarch64, "ra", 1, lan, wanA, priority: 150, preempt: true, preemptDelay: 0),
                RouterVm.Router(VmArch.X86_64, "rb", 2, lan, wanB, priority: 100, preempt: true, preemptDelay: 0),
                RouterVm.Client(VmArch.X86_64, lan));
            await RouterVm.WaitStateAsync(vms[0], "MASTER", TimeSpan.FromSeconds(60));
            await RouterVm.WaitStateAsync(vms[1], "BACKUP", TimeSpan.FromSeconds(30));
            await vms[2].Console.CheckAsync($"ping -c 3 -W 5 {RouterVm.Vip}", TimeSpan.FromSeconds(30));
        });
    }
}
