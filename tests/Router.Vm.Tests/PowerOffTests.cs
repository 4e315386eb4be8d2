using System.Diagnostics;
using Xunit.Abstractions;

using Router.LabKit.Vm;

namespace Router.Vm.Tests;

/// <summary>
/// The pair as two QEMU machines of one architecture running the *-openwrt (musl) routerha from the image's ipk,
/// and a client on their LAN: the master loses power, the backup takes the VIP; the former master boots again.
/// x86_64 with and without preemption; aarch64 (Cortex-A53, slower under emulation) without, where the former
/// master must come back as BACKUP.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class PowerOffTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(100);
    private const int PreemptDelay = 5;

    [Theory]
    [InlineData("x86_64", true)]
    [InlineData("x86_64", false)]
    [InlineData("aarch64", false)]
    public async Task MasterPowerOffBackupTakesOverWithinMasterDownRebootedMasterComesUpBackupThenPreemptsPerConfig(string archName, bool preempt)
    {
        var arch = VmArch.Named(archName);
        using var rig = new VmRig(output.WriteLine);
        await rig.RunAsync(async () =>
        {
            int lan = rig.NewSegment(), wanA = rig.NewSegment(), wanB = rig.NewSegment();
            var specA = RouterVm.Router(arch, "ra", 1, lan, wanA, priority: 150, preempt, PreemptDelay);
            var specB = RouterVm.Router(arch, "rb", 2, lan, wanB, priority: 100, preempt, PreemptDelay);
            VmMachine a, b, client;
            if (preempt)
            {
                var vms = await rig.BootAllAsync(specA, specB, RouterVm.Client(arch, lan));
                (a, b, client) = (vms[0], vms[1], vms[2]);
            }
            else
            {
                // Without preemption A is MASTER only if it runs first.
                var first = await rig.BootAllAsync(specA, RouterVm.Client(arch, lan));
                (a, client) = (first[0], first[1]);
                await RouterVm.WaitStateAsync(a, "MASTER", TimeSpan.FromSeconds(60));
                b = await rig.BootAsync(specB);
            }

            // The release artifact itself, where its ipk puts it, in a root with musl's loader only.
            var release = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(arch.RouterHaRelease)));
            Assert.StartsWith(release, (await a.Console.CheckAsync("sha256sum /usr/sbin/routerha")).Trim(), StringComparison.Ordinal);
            Assert.Equal($"ld-musl-{arch.Name}.so.1", (await a.Console.CheckAsync("ls /lib | grep '^ld-'")).Trim());
            Assert.Equal(arch.Name, (await a.Console.CheckAsync("uname -m")).Trim());

            // Election: A (150) MASTER with its WAN up, B BACKUP with its WAN down.
            await RouterVm.WaitStateAsync(a, "MASTER", TimeSpan.FromSeconds(60));
            // (B may have been MASTER while A was still booting: then A preempted it after preempt_delay.)
            var logB = await RouterVm.WaitStateAsync(b, "BACKUP", TimeSpan.FromSeconds(30));
            await RouterVm.WaitLogAsync(a, l => l.Wan.LastOrDefault().State == "up", TimeSpan.FromSeconds(10), "A's WAN up");
            await RouterVm.WaitLogAsync(b, l => l.Wan.LastOrDefault().State == "down", TimeSpan.FromSeconds(10), "B's WAN down");

            await RouterVm.StartPingAsync(client, PingInterval);
            await RouterVm.PollAsync(async () => (await RouterVm.PingTraceAsync(client, PingInterval)).Replies.Count >= 5, TimeSpan.FromSeconds(20), "pings through the VIP");

            // Pull A's plug.
            var sw = Stopwatch.StartNew();
            await a.PowerOffHardAsync();
            logB = await RouterVm.WaitStateAsync(b, "MASTER", TimeSpan.FromSeconds(20));
            var detected = sw.Elapsed;
            Assert.StartsWith("master down timer expired", logB.Transitions[^1].Reason, StringComparison.Ordinal);
            await RouterVm.PollAsync(async () => (await RouterVm.PingTraceAsync(client, PingInterval)) is { LongestStep: > 1, RepliesAfterGap: >= 10 },
                TimeSpan.FromSeconds(20), "pings through the VIP again");
            var trace = await RouterVm.StopPingAsync(client, PingInterval);
            var bound = RouterVm.MasterDown(100) + RouterVm.Advert + PingInterval;
            output.WriteLine($"power-off: client gap {trace.Gap.TotalMilliseconds:0} ms (probe every {PingInterval.TotalMilliseconds:0} ms), " +
                             $"bound {bound.TotalMilliseconds:0} ms (master-down {RouterVm.MasterDown(100).TotalMilliseconds:0} ms + one advert); B MASTER seen by the harness after {detected.TotalMilliseconds:0} ms");
            Assert.True(trace.Gap <= bound, $"client gap {trace.Gap.TotalMilliseconds:0} ms > {bound.TotalMilliseconds:0} ms");
            await RouterVm.WaitLogAsync(b, l => l.Wan.LastOrDefault().State == "up", TimeSpan.FromSeconds(10), "B's WAN up");

            // A boots again: BACKUP with its WAN down; only with preempt '1' it takes over, after preempt_delay, having heard B.
            var swBoot = Stopwatch.StartNew();
            a = await rig.BootAsync(specA);
            output.WriteLine($"former master booted in {swBoot.Elapsed.TotalSeconds:0.0} s");
            if (!preempt)
            {
                var first = await RouterVm.WaitStateAsync(a, "BACKUP", TimeSpan.FromSeconds(30));
                Assert.Equal("BACKUP", RolesAfterBoot(first)[0].To);
                await RouterVm.WaitHearsMasterAsync(a, RouterVm.LanAddress(2), TimeSpan.FromSeconds(10));
                await RouterVm.AssertStaysBackupAsync(a, 0, TimeSpan.FromSeconds(PreemptDelay) + 2 * RouterVm.MasterDown(150));
                Assert.Equal("MASTER", (await RouterVm.LogAsync(b)).State);
                await client.Console.CheckAsync($"ping -c 3 -W 2 {RouterVm.Vip}");
                return;
            }
            var logA = await RouterVm.WaitStateAsync(a, "MASTER", TimeSpan.FromSeconds(PreemptDelay + 60));
            var t = RolesAfterBoot(logA);
            Assert.Equal("BACKUP", t[0].To);
            Assert.Equal(("BACKUP", "MASTER"), (t[1].From, t[1].To));
            Assert.StartsWith($"preempting lower priority master {RouterVm.LanAddress(2)} (100)", t[1].Reason, StringComparison.Ordinal);
            Assert.True(t[1].At - t[0].At >= TimeSpan.FromSeconds(PreemptDelay) - TimeSpan.FromMilliseconds(50),
                $"preempted {(t[1].At - t[0].At).TotalSeconds:0.000} s after start, preempt_delay is {PreemptDelay} s");
            // The log only grows: line numbers from the earlier read stay valid.
            logA = await RouterVm.WaitLogAsync(a, l => l.Wan.Any(w => w.State == "up"), TimeSpan.FromSeconds(10), "A's WAN up");
            var wanUp = logA.Wan.First(w => w.State == "up").Line;
            Assert.True(wanUp > t[1].Line, $"A's WAN came up (line {wanUp}) before it preempted (line {t[1].Line}):\n{logA}");
            output.WriteLine($"former master: BACKUP at {t[0].At:hh\\:mm\\:ss\\.fff}, preempted B at {t[1].At:hh\\:mm\\:ss\\.fff}; WAN up after that");

            logB = await RouterVm.WaitStateAsync(b, "BACKUP", TimeSpan.FromSeconds(10));
            Assert.StartsWith($"higher priority master {RouterVm.LanAddress(1)} (150", logB.Transitions[^1].Reason, StringComparison.Ordinal);
            await RouterVm.WaitLogAsync(b, l => l.Wan.LastOrDefault().State == "down", TimeSpan.FromSeconds(10), "B's WAN down");
            await client.Console.CheckAsync($"ping -c 3 -W 2 {RouterVm.Vip}");
        });
    }

    /// <summary>
    /// The transitions of a router that just booted, without FAULT: /init raises `lan` right before it starts
    /// routerha, and on the arm64 VM the virtio link reports carrier about 150 ms later, so routerha may start
    /// with `INIT -> FAULT (lan is down)` and go BACKUP when the link comes up. Only that FAULT is allowed.
    /// </summary>
    private static List<RouterLog.Transition> RolesAfterBoot(RouterLog log)
    {
        Assert.All(log.Transitions.Where(t => t.To == "FAULT"), t => Assert.Equal(("INIT", "lan is down"), (t.From, t.Reason)));
        return log.Transitions.Where(t => t.To != "FAULT").ToList();
    }
}
