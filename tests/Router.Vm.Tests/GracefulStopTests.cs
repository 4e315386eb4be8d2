using System.Diagnostics;
using Xunit.Abstractions;

using Router.LabKit.Vm;

namespace Router.Vm.Tests;

/// <summary>
/// `/etc/init.d/routerha stop` on the MASTER VM (the image's init script, run through its procd stand-in:
/// SIGTERM, then up to term_timeout): it hands over with a priority 0 advert, so the backup takes the VIP
/// after its skew time instead of the master-down interval. Started again, with preempt '0' it stays BACKUP.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class GracefulStopTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(100);

    [Theory]
    [InlineData("x86_64")]
    [InlineData("aarch64")]
    public async Task InitScriptStopHandsOverWithPriorityZeroRestartWithoutPreemptStaysBackup(string archName)
    {
        var arch = VmArch.Named(archName);
        using var rig = new VmRig(output.WriteLine);
        await rig.RunAsync(async () =>
        {
            int lan = rig.NewSegment(), wanA = rig.NewSegment(), wanB = rig.NewSegment();
            // A boots first so it is the MASTER for sure (with preempt '0' a later A would not take over).
            var booted = await rig.BootAllAsync(RouterVm.Router(arch, "ra", 1, lan, wanA, priority: 150, preempt: false, preemptDelay: 0),
                RouterVm.Client(arch, lan));
            var (a, client) = (booted[0], booted[1]);
            await RouterVm.WaitStateAsync(a, "MASTER", TimeSpan.FromSeconds(60));
            var b = await rig.BootAsync(RouterVm.Router(arch, "rb", 2, lan, wanB, priority: 100, preempt: false, preemptDelay: 0));
            await RouterVm.WaitStateAsync(b, "BACKUP", TimeSpan.FromSeconds(30));

            await RouterVm.StartPingAsync(client, PingInterval);
            await RouterVm.PollAsync(async () => (await RouterVm.PingTraceAsync(client, PingInterval)).Replies.Count >= 5, TimeSpan.FromSeconds(20), "pings through the VIP");

            var sw = Stopwatch.StartNew();
            await a.Console.CheckAsync("/etc/init.d/routerha stop", TimeSpan.FromSeconds(30));
            var stopTook = sw.Elapsed;
            var logB = await RouterVm.WaitStateAsync(b, "MASTER", TimeSpan.FromSeconds(10));
            Assert.StartsWith($"master {RouterVm.LanAddress(1)} left (priority 0 advert)", logB.Transitions[^1].Reason, StringComparison.Ordinal);
            await RouterVm.PollAsync(async () => (await RouterVm.PingTraceAsync(client, PingInterval)).Replies.Count >= 10 + (int)(stopTook / PingInterval),
                TimeSpan.FromSeconds(20), "pings after the handover");
            var trace = await RouterVm.StopPingAsync(client, PingInterval);
            // The backup waits its skew time after the priority 0 advert; without the handover it would be the master-down interval.
            var bound = RouterVm.SkewTime(100) + RouterVm.Advert / 2;
            output.WriteLine($"init-script stop: client gap {trace.Gap.TotalMilliseconds:0} ms (probe every {PingInterval.TotalMilliseconds:0} ms; " +
                             $"skew time {RouterVm.SkewTime(100).TotalMilliseconds:0} ms, master-down {RouterVm.MasterDown(100).TotalMilliseconds:0} ms); stop took {stopTook.TotalMilliseconds:0} ms");
            Assert.True(trace.Gap <= bound, $"client gap {trace.Gap.TotalMilliseconds:0} ms > {bound.TotalMilliseconds:0} ms");

            var logA = await RouterVm.LogAsync(a);
            var stopped = logA.IndexOf("routerha stopped");
            Assert.True(logA.IndexOf("SIGTERM received: handing over") >= 0 && stopped >= 0, logA.ToString());
            Assert.Equal("down", logA.Wan[^1].State);
            await a.Console.CheckAsync("! /etc/rc.common /etc/init.d/routerha running");

            // Started again: BACKUP, hears B as the master, stays BACKUP with its WAN down (preempt '0').
            await a.Console.CheckAsync("/etc/init.d/routerha start");
            var restart = logA.Lines.Count;
            logA = await RouterVm.WaitLogAsync(a, l => l.Transitions.Any(t => t.Line >= restart && t.To == "BACKUP"), TimeSpan.FromSeconds(20), "BACKUP after the restart");
            await RouterVm.WaitHearsMasterAsync(a, RouterVm.LanAddress(2), TimeSpan.FromSeconds(10));
            await RouterVm.AssertStaysBackupAsync(a, restart, 2 * RouterVm.MasterDown(150));
            Assert.Equal("MASTER", (await RouterVm.LogAsync(b)).State);
        });
    }
}
