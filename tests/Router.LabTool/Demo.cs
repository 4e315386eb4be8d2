using System.Diagnostics;
using Router.LabKit;

namespace Router.LabTool;

/// <summary>A guided failover: elect, show who is master, probe, kill -9 the master, show the gap and the survivor.</summary>
public static class Demo
{
    public static async Task<int> RunAsync(Options opts, CancellationToken ct)
    {
        var kind = opts.Daemons[0];
        var name = Options.Name(kind);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        var advert = TimeSpan.FromMilliseconds(100);
        var a = VrrpSettings.For(150, advert);
        var b = VrrpSettings.For(100, advert);

        Step($"building the lab: switch + router A + router B + client (namespaces {LabRun.Prefix}*)");
        using var lab = PairLab.Create(kind, a, b);
        Console.WriteLine($"    A {LabTopology.AddressA}  B {LabTopology.AddressB}  client {LabTopology.AddressClient}  VIP {LabTopology.Vip4Cidr}");

        Step($"starting {name} on A (priority 150) and B (priority 100), adverts every {advert.TotalMilliseconds:0} ms");
        var sw = Stopwatch.StartNew();
        await lab.StartAndElectAsync(bound.Token);
        Console.WriteLine($"    elected in {sw.ElapsedMilliseconds} ms");
        PrintTable(lab);

        Step($"client pings the VIP every 10 ms");
        using var prober = Prober.Start(lab.Topology.Client, LabTopology.Vip4);
        await prober.WaitForReplyAfterAsync(0, TimeSpan.FromSeconds(5), bound.Token);
        await prober.WaitForReplyAfterAsync(prober.SentCount + 20, TimeSpan.FromSeconds(5), bound.Token);
        Console.WriteLine($"    answered by {lab.Topology.WhoAnswers(LabTopology.Vip4) ?? "?"} ({lab.Topology.ClientNeighbourMac(LabTopology.Vip4)})");

        var pid = lab.A.Pids.FirstOrDefault();
        Step($"kill -9 the master (A, pid {pid}); a crashed router stops answering, so its VIP goes with it");
        sw.Restart();
        lab.A.Kill9();
        if (lab.Topology.HasAddress(lab.A.Namespace, LabTopology.Vip4)) lab.Topology.DeleteAddress(lab.A.Namespace, LabTopology.Vip4Cidr);
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, bound.Token);
        var takeover = sw.ElapsedMilliseconds;
        await prober.WaitForReplyAfterAsync(prober.SentCount, TimeSpan.FromSeconds(5), bound.Token);
        var result = prober.Stop();

        Console.WriteLine($"    B reports MASTER {takeover} ms after the kill (master-down interval {b.MasterDownInterval.TotalMilliseconds:0} ms)");
        Console.WriteLine($"    client-visible gap: {result.GapMs:0} ms  (lost {result.Lost} of {result.Sent} probes: {result.Runs})");
        Console.WriteLine($"    VIP now answered by {lab.Topology.WhoAnswers(LabTopology.Vip4) ?? "?"}");

        Step("survivor's status");
        PrintTable(lab);
        if (lab.B is RouterHaNode rb)
        {
            Console.WriteLine($"    $ routerha status -s {rb.ControlSocket}");
            var r = rb.Cli("status");
            foreach (var line in (r.Ok ? r.StdOut : r.StdErr).TrimEnd().Split('\n')) Console.WriteLine($"    {line}");
        }
        else if (lab.B is KeepalivedNode kb)
            foreach (var line in kb.Notify.History) Console.WriteLine($"    notify: {line}");

        Step("cleaning up (daemons killed by pid, namespaces deleted)");
        return 0;
    }

    private static void Step(string text) => Console.WriteLine($"==> {text}");

    private static void PrintTable(PairLab lab)
    {
        Console.WriteLine("    node  daemon      state    prio  VIP   pid");
        foreach (var n in (IVrrpNode[])[lab.A, lab.B])
        {
            var prio = n is RouterHaNode r && r.IsRunning && r.TryStatus() is { } s
                ? s.Instances[0].EffectivePriority : n.Settings.Priority;
            var vip = lab.HasVips(n) ? "yes" : "no";
            var pid = n.IsRunning ? string.Join('+', n.Pids) : "-";
            Console.WriteLine($"    {n.Label,-4}  {n.Kind,-10}  {n.State,-7}  {prio,4}  {vip,-4}  {pid}");
        }
    }
}
