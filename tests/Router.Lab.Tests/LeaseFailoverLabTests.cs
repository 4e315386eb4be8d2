using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// Issue 4 end to end: two routers with routerha and the real dnsmasq started by the role plan's DHCP action,
/// clients with busybox udhcpc. Leases given out by A are on B before A dies; B, promoted, serves them, so the
/// client keeps its address and nobody else gets it; A returning resyncs to B's store.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LeaseFailoverLabTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheClientKeepsItsAddressAcrossAFailoverAndTheReturningRouterResyncs(bool storeLostOnA)
    {
        using var cts = LabAssert.Budget(180);
        using var lab = LeasePairLab.Create();
        lab.StartDaemon(0);
        await Wait.UntilAsync(() => lab.State(0) == "MASTER", Step, "A MASTER", lab.Diagnostics, cts.Token);
        lab.StartDaemon(1);
        await Wait.UntilAsync(() => lab.State(1) == "BACKUP", Step, "B BACKUP", lab.Diagnostics, cts.Token);
        await Wait.UntilAsync(() => lab.DnsmasqPid(0) is not null, Step, "dnsmasq started by A's DHCP action", lab.Diagnostics, cts.Token);

        var client = lab.StartClient(0, "keeper");
        await Wait.UntilAsync(() => lab.ClientEvents(0).Any(e => e.StartsWith("bound ", StringComparison.Ordinal)), Step,
            "client bound by A", () => lab.Diagnostics() + "\n--- udhcpc:\n" + client.LogTail(), cts.Token);
        var ip = lab.ClientEvents(0).First().Split(' ')[1];
        var mac = LeasePairLab.ClientMac(0);
        // Replicated before anything fails: that is what makes the failover safe.
        await Wait.UntilAsync(() => lab.HasActiveLease(1, ip, mac), Step, $"lease {ip} replicated to B", lab.Diagnostics, cts.Token);
        Assert.Null(lab.DnsmasqPid(1));

        lab.PowerOff(0);
        await Wait.UntilAsync(() => lab.State(1) == "MASTER", Step, "B MASTER after A died", lab.Diagnostics, cts.Token);
        await Wait.UntilAsync(() => lab.DnsmasqPid(1) is not null, Step, "dnsmasq started by B's DHCP action", lab.Diagnostics, cts.Token);
        // B's DHCP action got the lease file with A's lease before dnsmasq started.
        Assert.Contains($" {mac} {ip} keeper ", File.ReadAllText(lab.LeaseFile(1)));

        // Before the client comes back, a second client asks for exactly its address: B knows it is leased (from A)
        // and gives another one. Asked after the renewal, any dnsmasq would know it.
        var second = lab.StartClient(1, "newcomer", requestIp: ip);
        await Wait.UntilAsync(() => lab.ClientEvents(1).Any(e => e.StartsWith("bound ", StringComparison.Ordinal)), Step,
            "second client bound by B", () => lab.Diagnostics() + "\n--- udhcpc 2:\n" + second.LogTail(), cts.Token);
        var ip2 = lab.ClientEvents(1).First().Split(' ')[1];
        Assert.NotEqual(ip, ip2);

        // The client renews (unicast to A, unanswered, then rebinding by broadcast) and B confirms the same address.
        var renewsBefore = lab.ClientEvents(0).Count(e => e.StartsWith("renew ", StringComparison.Ordinal));
        DhcpLab.Renew(client);
        await Wait.UntilAsync(() => lab.ClientEvents(0).Count(e => e.StartsWith("renew ", StringComparison.Ordinal)) > renewsBefore, Step,
            "client renewed through B", () => lab.Diagnostics() + "\n--- udhcpc:\n" + client.LogTail(), cts.Token);
        Assert.Equal($"renew {ip}", lab.ClientEvents(0).Last());

        if (storeLostOnA)
            foreach (var f in new[] { "", "-wal", "-shm" }) File.Delete(lab.DbPath(0) + f);
        lab.StartDaemon(0);
        // Answering status means its store is open and migrated (a new one is created on the way).
        await Wait.UntilAsync(() => lab.State(0) is not null, Step, "A back and answering", lab.Diagnostics, cts.Token);
        await Wait.UntilAsync(() => lab.ActiveLeases(0).Count == 2 && lab.ActiveLeases(0).SequenceEqual(lab.ActiveLeases(1)), Step,
            "A's store equal to B's after the resync", lab.Diagnostics, cts.Token);
        Assert.Equal("BACKUP", lab.State(0));
        Assert.True(lab.HasActiveLease(0, ip2, LeasePairLab.ClientMac(1)));
        if (storeLostOnA)
        {
            Assert.Contains("lease sync with router-b: nothing received from it yet (new or rebuilt store)", lab.Daemons[0]!.Log);
            Assert.Contains("lease sync with router-a: its store is new", lab.Daemons[1]!.Log);
        }

        using var status = lab.Status(1);
        var leases = status!.RootElement.GetProperty("leases");
        Assert.Equal(2, leases.GetProperty("active").GetInt32());
        await Wait.UntilAsync(() => SyncOf(lab, 1) is { Connected: true, Pending: 0 }, Step, "B sees A in sync with nothing pending",
            lab.Diagnostics, cts.Token);
        Assert.Contains("leases: 2 active; sync with router-a: in sync", lab.RouterHa(1, "status").StdOut);
    }

    [Fact]
    public async Task ARouterThatComesBackAndPreemptsServesTheLeasesGivenOutWhileItWasAway()
    {
        using var cts = LabAssert.Budget(180);
        using var lab = LeasePairLab.Create(preemptA: true);
        lab.StartDaemon(0);
        await Wait.UntilAsync(() => lab.State(0) == "MASTER", Step, "A MASTER", lab.Diagnostics, cts.Token);
        lab.StartDaemon(1);
        await Wait.UntilAsync(() => lab.State(1) == "BACKUP", Step, "B BACKUP", lab.Diagnostics, cts.Token);
        lab.PowerOff(0);
        await Wait.UntilAsync(() => lab.DnsmasqPid(1) is not null, Step, "B MASTER serving DHCP", lab.Diagnostics, cts.Token);

        // A lease A never saw, and A comes back with no store at all.
        var client = lab.StartClient(0, "while-away");
        await Wait.UntilAsync(() => lab.ClientEvents(0).Any(e => e.StartsWith("bound ", StringComparison.Ordinal)), Step,
            "client bound by B", () => lab.Diagnostics() + "\n--- udhcpc:\n" + client.LogTail(), cts.Token);
        var ip = lab.ClientEvents(0).First().Split(' ')[1];
        foreach (var f in new[] { "", "-wal", "-shm" }) File.Delete(lab.DbPath(0) + f);
        lab.StartDaemon(0);
        await Wait.UntilAsync(() => lab.State(0) == "MASTER" && lab.DnsmasqPid(0) is not null && lab.DnsmasqPid(1) is null, Step,
            "A MASTER again, its dnsmasq up and B's stopped", lab.Diagnostics, cts.Token);
        Assert.Contains("DHCP starts with 1 lease(s)", lab.Daemons[0]!.Log);

        // A's dnsmasq loaded B's lease through init: the address is not handed to a newcomer asking for it.
        var second = lab.StartClient(1, "newcomer", requestIp: ip);
        await Wait.UntilAsync(() => lab.ClientEvents(1).Any(e => e.StartsWith("bound ", StringComparison.Ordinal)), Step,
            "second client bound by A", () => lab.Diagnostics() + "\n--- udhcpc 2:\n" + second.LogTail(), cts.Token);
        Assert.NotEqual(ip, lab.ClientEvents(1).First().Split(' ')[1]);
    }

    [Fact]
    public async Task APeerWithTheWrongKeyReceivesNothing()
    {
        using var cts = LabAssert.Budget(120);
        using var lab = LeasePairLab.Create(secretOfB: "not-the-same-secret-at-all-0123456789");
        lab.StartDaemon(0);
        await Wait.UntilAsync(() => lab.State(0) == "MASTER", Step, "A MASTER", lab.Diagnostics, cts.Token);
        lab.StartDaemon(1);
        await Wait.UntilAsync(() => lab.DnsmasqPid(0) is not null, Step, "dnsmasq started by A", lab.Diagnostics, cts.Token);
        var client = lab.StartClient(0, "secret-lease");
        await Wait.UntilAsync(() => lab.ClientEvents(0).Any(e => e.StartsWith("bound ", StringComparison.Ordinal)), Step,
            "client bound by A", () => lab.Diagnostics() + "\n--- udhcpc:\n" + client.LogTail(), cts.Token);
        var ip = lab.ClientEvents(0).First().Split(' ')[1];
        await Wait.UntilAsync(() => lab.HasActiveLease(0, ip, LeasePairLab.ClientMac(0)), Step, "lease stored on A", lab.Diagnostics, cts.Token);

        // B has tried and been refused (both sides count it) since the lease exists on A.
        var refusedBefore = WrongKeyRefusals(lab, 1);
        await Wait.UntilAsync(() => WrongKeyRefusals(lab, 1) > refusedBefore, Step, "B refused again after the lease existed", lab.Diagnostics, cts.Token);
        Assert.Empty(lab.ActiveLeases(1));
        Assert.True(SyncOf(lab, 0) is { Connected: false, RowsSent: 0 }, lab.Diagnostics());
    }

    private static long WrongKeyRefusals(LeasePairLab lab, int r)
    {
        using var s = lab.Status(r);
        if (s is null || !s.RootElement.TryGetProperty("fence", out var fence)) return 0;
        return fence.GetProperty("refusals").TryGetProperty("WrongKey", out var n) ? n.GetInt64() : 0;
    }

    private sealed record Sync(bool Connected, long Pending, long RowsSent);

    private static Sync? SyncOf(LeasePairLab lab, int r)
    {
        using var s = lab.Status(r);
        if (s is null || !s.RootElement.TryGetProperty("leases", out var l) || !l.TryGetProperty("sync", out var y)) return null;
        return new Sync(y.GetProperty("connected").GetBoolean(), y.GetProperty("pending").GetInt64(), y.GetProperty("rows_sent").GetInt64());
    }
}
