using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// The real dnsmasq hands every lease event to routerha through --dhcp-script and, restarted with a
/// read-only lease file, gets its leases back from routerha's store through "init".
/// </summary>
[Collection(LabCollection.Name)]
public sealed class DhcpLeaseLabTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task LeaseIsStoredAndARestartedDnsmasqGetsItBackThroughInit()
    {
        using var cts = LabAssert.Budget(120);
        using var lab = DhcpLab.Create();
        lab.StartDaemon();
        await Wait.UntilAsync(() => lab.RouterHa("status", "-c", lab.ConfigPath).Ok, Step, "routerha answering status", lab.Diagnostics, cts.Token);
        lab.StartDnsmasq();

        var client = lab.StartClient(0, "labcli");
        await Wait.UntilAsync(() => lab.ClientEvents(0).Any(e => e.StartsWith("bound ", StringComparison.Ordinal)), Step,
            "udhcpc bound", () => lab.Diagnostics() + "\n--- udhcpc:\n" + client.LogTail(), cts.Token);
        var ip = lab.ClientEvents(0).First().Split(' ')[1];
        await Wait.UntilAsync(() => lab.Leases().Contains((ip, lab.ClientMac(0), "active", "labcli")), Step,
            $"lease {ip} of {lab.ClientMac(0)} in routerha leases --json", lab.Diagnostics, cts.Token);
        Assert.Contains("lease add 02:00:00:00:88:0a", lab.Daemon!.Log); // it went through the daemon

        // dnsmasq restarts with nothing on disk but what routerha's init prints.
        lab.Dnsmasq!.SendTerm();
        Assert.NotNull(await lab.Dnsmasq.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var init = lab.RouterHa("dhcp-script", "-c", lab.ConfigPath, "init");
        Assert.Contains($" {lab.ClientMac(0)} {ip} labcli 01:{lab.ClientMac(0)}", init.StdOut);
        lab.StartDnsmasq();

        // A second client asks for the first one's address: dnsmasq knows it is taken and offers another.
        var second = lab.StartClient(1, "labcli2", requestIp: ip);
        await Wait.UntilAsync(() => lab.ClientEvents(1).Any(e => e.StartsWith("bound ", StringComparison.Ordinal)), Step,
            "second udhcpc bound", () => lab.Diagnostics() + "\n--- udhcpc 2:\n" + second.LogTail(), cts.Token);
        var ip2 = lab.ClientEvents(1).First().Split(' ')[1];
        Assert.NotEqual(ip, ip2);

        // The first client renews through the restarted dnsmasq and keeps its address.
        DhcpLab.Renew(client);
        await Wait.UntilAsync(() => lab.ClientEvents(0).Any(e => e.StartsWith("renew ", StringComparison.Ordinal)), Step,
            "udhcpc renewal", () => lab.Diagnostics() + "\n--- udhcpc:\n" + client.LogTail(), cts.Token);
        Assert.Equal($"renew {ip}", lab.ClientEvents(0).Last(e => e.StartsWith("renew ", StringComparison.Ordinal)));
        Assert.Equal(ip, lab.ClientAddress(0));
        Assert.DoesNotContain("DHCPNAK", lab.Dnsmasq!.Log);
        await Wait.UntilAsync(() => lab.Leases().Contains((ip2, lab.ClientMac(1), "active", "labcli2")), Step,
            "second lease in the store", lab.Diagnostics, cts.Token);
    }

    [Fact]
    public async Task WithTheDaemonDownTheScriptWritesTheStoreItself()
    {
        using var cts = LabAssert.Budget(90);
        using var lab = DhcpLab.Create();
        // No routerha daemon at all: every dhcp-script call falls back to the store file.
        lab.StartDnsmasq();
        var client = lab.StartClient(0, "offline");
        await Wait.UntilAsync(() => lab.ClientEvents(0).Any(e => e.StartsWith("bound ", StringComparison.Ordinal)), Step,
            "udhcpc bound", () => lab.Diagnostics() + "\n--- udhcpc:\n" + client.LogTail(), cts.Token);
        var ip = lab.ClientEvents(0).First().Split(' ')[1];
        await Wait.UntilAsync(() => lab.Leases().Contains((ip, lab.ClientMac(0), "active", "offline")), Step,
            "lease stored without the daemon", lab.Diagnostics, cts.Token);

        // The daemon starting later serves what was stored while it was down.
        lab.StartDaemon();
        await Wait.UntilAsync(() => lab.RouterHa("status", "-c", lab.ConfigPath).Ok, Step, "routerha answering status", lab.Diagnostics, cts.Token);
        Assert.Contains("lease(s)", lab.Daemon!.Log);
        var init = lab.RouterHa("dhcp-script", "-c", lab.ConfigPath, "init");
        Assert.Contains($"{ip} offline", init.StdOut);
    }
}
