using System.Text;
using System.Text.Json;
using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// The router artifact itself: routerha installed from the ipk into a musl-only root (no glibc file in it),
/// run with chroot in router A's namespace, against the glibc lab build in router B's namespace.
/// </summary>
[Collection(PackageLabCollection.Name)]
public sealed class MuslRootLabTests
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);

    private static CancellationTokenSource Budget() => new(TimeSpan.FromSeconds(60));

    private sealed class Pair : IDisposable
    {
        public readonly MuslRoot Root = MuslRoot.Create();
        public readonly LabTopology Topology = LabTopology.Create();
        public readonly MuslRouterHaNode A;
        public readonly RouterHaNode B;

        public Pair(int priorityA, int priorityB)
        {
            Root.InstallIpk(PackageArtifacts.RequireIpk());
            A = new MuslRouterHaNode(Topology, "A", VrrpSettings.For(priorityA, Advert), Root);
            B = new RouterHaNode(Topology, "B", VrrpSettings.For(priorityB, Advert));
        }

        public string Diagnostics() => A.Diagnostics() + "\n" + B.Diagnostics();

        public void Dispose()
        {
            Topology.Dispose();
            Root.Dispose();
        }
    }

    [Fact]
    public void TheRootHasNoGlibcAndTheBinaryAsksForMuslsLoader()
    {
        using var root = MuslRoot.Create();
        root.InstallIpk(PackageArtifacts.RequireIpk());
        Assert.Empty(root.GlibcFiles());
        var binary = File.ReadAllBytes(root.PathOf("/usr/sbin/routerha"));
        Assert.True(Contains(binary, MuslRoot.MuslLoader + "\0"), "PT_INTERP is not musl's loader");
        Assert.False(Contains(binary, "ld-linux-x86-64.so.2"), "the binary names glibc's loader");
        Assert.Matches(@"^\S+\n$", root.Check("/usr/sbin/routerha", "version"));
    }

    [Fact]
    public async Task MuslBuildWinsTheElectionAgainstTheGlibcBuildAndHandsOverOnSigterm()
    {
        using var cts = Budget();
        using var lab = new Pair(150, 100);
        lab.A.Start();
        lab.B.Start();
        var election = 3 * VrrpSettings.For(100, Advert).MasterDownInterval + TimeSpan.FromSeconds(5);
        await lab.A.WaitForStateAsync("MASTER", election, cts.Token);
        await lab.B.WaitForStateAsync("BACKUP", election, cts.Token);
        await Wait.UntilAsync(() => lab.B.Instance().Counters.AdvertsReceived >= 3, TimeSpan.FromSeconds(3),
            "B hearing the musl master's adverts", lab.Diagnostics, cts.Token);

        var b = lab.B.Instance();
        Assert.Equal((LabTopology.AddressA.ToString(), 150), (b.Master, b.MasterPriority));
        Assert.True(lab.Topology.HasAddress(lab.A.Namespace, LabTopology.Vip4), "the VIP is not on A (rtnetlink under musl)");
        Assert.False(lab.Topology.HasAddress(lab.B.Namespace, LabTopology.Vip4));
        // Notify scripts are forked and exec'd by the musl build: busybox sh inside the root ran them.
        await Wait.UntilAsync(() => lab.A.NotifyHistory.Contains("INSTANCE lan MASTER 150"), TimeSpan.FromSeconds(3),
            "A's notify script reporting MASTER", lab.Diagnostics, cts.Token);

        // SIGTERM (procd's stop): the musl build sends priority 0 and B takes over at once.
        Assert.Equal(0, await lab.A.TerminateAsync(TimeSpan.FromSeconds(10)));
        await lab.B.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(2), cts.Token);
        Assert.False(lab.Topology.HasAddress(lab.A.Namespace, LabTopology.Vip4), "A left the VIP behind");
    }

    [Fact]
    public async Task RpcdPluginAnswersFromTheRunningDaemon()
    {
        using var cts = Budget();
        using var lab = new Pair(150, 100);
        lab.A.Start();
        lab.B.Start();
        await lab.A.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(10), cts.Token);

        var list = JsonDocument.Parse(lab.Root.Check("/usr/libexec/rpcd/routerha", "list")).RootElement;
        Assert.Equal(["status", "leases", "switchover", "maintenance", "genkey"], list.EnumerateObject().Select(p => p.Name));

        var status = JsonDocument.Parse(Rpcd(lab.Root, "status", "{}")).RootElement;
        var lan = status.GetProperty("instances").EnumerateArray().Single();
        Assert.Equal(("lan", "MASTER"), (lan.GetProperty("name").GetString(), lan.GetProperty("state").GetString()));

        var bad = JsonDocument.Parse(Rpcd(lab.Root, "switchover", """{"instance":"wan"}""")).RootElement;
        Assert.False(bad.GetProperty("ok").GetBoolean());
        Assert.Contains("wan", bad.GetProperty("error").GetString());

        var ok = JsonDocument.Parse(Rpcd(lab.Root, "maintenance", """{"on": true}""")).RootElement;
        Assert.True(ok.GetProperty("ok").GetBoolean(), ok.ToString());
        await lab.B.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(3), cts.Token);
        await lab.A.WaitForStateAsync("BACKUP", TimeSpan.FromSeconds(3), cts.Token);
    }

    [Fact]
    public void RpcdStatusReportsAnErrorObjectWhenTheDaemonIsNotRunning()
    {
        using var root = MuslRoot.Create();
        root.InstallIpk(PackageArtifacts.RequireIpk());
        var answer = JsonDocument.Parse(Rpcd(root, "status", "{}")).RootElement;
        Assert.False(answer.GetProperty("ok").GetBoolean());
        Assert.Contains("routerha.sock", answer.GetProperty("error").GetString());
    }

    [Fact]
    public void ShippedConfigPassesCheckConfigAndKeepsTheDaemonDisabled()
    {
        using var root = MuslRoot.Create();
        root.InstallIpk(PackageArtifacts.RequireIpk());
        var check = root.Run("/usr/sbin/routerha", "check-config");
        Assert.True(check.Ok, check.StdErr);
        Assert.Contains("/etc/config/routerha: OK", check.StdOut);
        var run = root.Run("/usr/sbin/routerha", "run");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("disabled", run.StdErr + run.StdOut);
        Assert.False(File.Exists(root.PathOf("/var/run/routerha.sock")), "a disabled daemon opened its control socket");
    }

    private static string Rpcd(MuslRoot root, string method, string input)
    {
        var inputFile = root.PathOf("/tmp/rpcd-input.json");
        File.WriteAllText(inputFile, input);
        var r = root.Run("/bin/sh", "-c", $"/usr/libexec/rpcd/routerha call {method} < /tmp/rpcd-input.json");
        Assert.True(r.Ok, r.StdErr);
        return r.StdOut;
    }

    private static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(needle)) >= 0;
}

/// <summary>Lab tests share the machine's timing: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackageLabCollection
{
    public const string Name = "package-lab";
}
