using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Router.LabKit;
using static Microsoft.Playwright.Assertions;

namespace Router.Luci.Tests;

/// <summary>Status -> Router HA and the Overview include, in chromium, against a real routerha pair in namespaces.</summary>
[Collection(LuciCollection.Name)]
public sealed class StatusPageTests(Chromium chromium)
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);
    private static readonly LocatorAssertionsToHaveTextOptions Follows = new() { Timeout = 10_000 };

    private static PairLab StartPair(bool preempt) => PairLab.Create(DaemonKind.RouterHa,
        VrrpSettings.For(150, Advert) with { Preempt = preempt }, VrrpSettings.For(100, Advert) with { Preempt = preempt });

    /// <summary>A pair with what the page has more to show: the peer channel over the LAN, a fenced role action and
    /// the replicated lease store.</summary>
    private static PairLab StartFullPair(string dir)
    {
        var key = Path.Combine(dir, "peer.key");
        File.WriteAllText(key, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string Extra(string own, string peer, string label) =>
            $"\nconfig peer 'router_{(label == "a" ? "b" : "a")}'\n\tlist path 'lan {own} {peer}'\n\toption secret_file '{key}'\n" +
            "\toption heartbeat_interval '0.2'\n\toption dead_interval '1'\n\toption fence_window '3'\n" +
            $"\nconfig action 'tunnel'\n\toption kind 'command'\n\toption start '/bin/true'\n\toption stop '/bin/true'\n\toption fenced '1'\n" +
            $"\nconfig leases\n\toption db_path '{dir}/leases-{label}.db'\n\toption lease_file '{dir}/dhcp-{label}.leases'\n";
        return PairLab.Create(DaemonKind.RouterHa,
            VrrpSettings.For(150, Advert) with { Preempt = false, NodeName = "router-a", ExtraUci = Extra(LabTopology.AddressA.ToString(), LabTopology.AddressB.ToString(), "a") },
            VrrpSettings.For(100, Advert) with { Preempt = false, NodeName = "router-b", ExtraUci = Extra(LabTopology.AddressB.ToString(), LabTopology.AddressA.ToString(), "b") });
    }

    private static ILocator State(IPage page) => page.Locator(".routerha-instance-state[data-instance='lan'] .routerha-state");
    private static ILocator Switchover(IPage page) => page.Locator(".routerha-switchover[data-instance='lan']");

    private static async Task ConfirmAsync(IPage page)
    {
        await page.Locator(".routerha-confirm").ClickAsync();
        await page.Locator(".routerha-answer").First.WaitForAsync(new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task StatusPagesShowMasterAndBackupAndSwitchoverFromThePageMovesTheVip()
    {
        using var cts = LuciAssert.Budget();
        var dir = Directory.CreateTempSubdirectory("routerha-luci-").FullName;
        using var cleanup = new TempDir(dir);
        using var lab = StartFullPair(dir);
        await lab.StartAndElectAsync(cts.Token);
        using var webA = LuciHarness.For((RouterHaNode)lab.A);
        using var webB = LuciHarness.For((RouterHaNode)lab.B);
        var pageA = await chromium.OpenAsync(webA.Page("routerha/status", "router A"));
        var pageB = await chromium.OpenAsync(webB.Page("routerha/status", "router B"));

        await Expect(State(pageA)).ToHaveTextAsync("MASTER");
        await Expect(State(pageB)).ToHaveTextAsync("BACKUP");
        await Expect(pageA.Locator(".routerha-vips")).ToHaveAttributeAsync("data-present", "1");
        await Expect(pageB.Locator(".routerha-vips")).ToHaveAttributeAsync("data-present", "0");
        // A BACKUP has nothing to hand over.
        await Expect(Switchover(pageB)).ToBeDisabledAsync();
        await Expect(Switchover(pageA)).ToBeEnabledAsync();
        // The peer channel is up on its one path, and the fenced step ran on the MASTER.
        await Expect(pageA.Locator(".routerha-path")).ToHaveAttributeAsync("data-up", "1", new() { Timeout = 10_000 });
        await Expect(pageA.Locator(".routerha-step").First).ToHaveAttributeAsync("data-outcome", new System.Text.RegularExpressions.Regex("(?i)ok|done|succeeded"), new() { Timeout = 10_000 });

        await Switchover(pageA).ClickAsync();
        await ConfirmAsync(pageA);
        // The daemon's own answer is shown, as a success.
        var answer = pageA.Locator(".alert-message:has(.routerha-answer)").First;
        await Expect(answer).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("danger"));
        Assert.Contains(webA.Calls, c => c.StartsWith("routerha.switchover {\"instance\":\"lan\"}", StringComparison.Ordinal));

        // Both pages follow the pair by polling; the VIP really moved.
        await Expect(State(pageA)).ToHaveTextAsync("BACKUP", Follows);
        await Expect(State(pageB)).ToHaveTextAsync("MASTER", Follows);
        await Wait.UntilAsync(() => lab.HasVips(lab.B) && lab.HasNoVip(lab.A), TimeSpan.FromSeconds(5), "the VIP on B only",
            lab.Diagnostics, cts.Token);
        await Expect(Switchover(pageA)).ToBeDisabledAsync();
        await Expect(Switchover(pageB)).ToBeEnabledAsync();
        await Expect(pageB.Locator(".routerha-vips")).ToHaveAttributeAsync("data-present", "1", new() { Timeout = 10_000 });
        await Screenshots.TakeAsync(pageB, "status.png");

        var overview = await chromium.OpenAsync($"{webB.Url}?include=status/include/70_routerha&node=router%20B");
        var row = overview.Locator(".routerha-overview-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator(".routerha-state")).ToHaveTextAsync("MASTER");
        await Expect(row).ToContainTextAsync(LabTopology.Vip4Cidr);
        await Screenshots.TakeAsync(overview, "overview.png", "#view");
    }

    [Fact]
    public async Task MaintenanceFromThePageHandsOverAndTurningItOffTakesBack()
    {
        using var cts = LuciAssert.Budget();
        using var lab = StartPair(preempt: true);
        await lab.StartAndElectAsync(cts.Token);
        using var webA = LuciHarness.For((RouterHaNode)lab.A);
        var page = await chromium.OpenAsync(webA.Page("routerha/status", "router A"));

        await page.Locator(".routerha-maintenance[data-on='1']").ClickAsync();
        await ConfirmAsync(page);
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await Expect(State(page)).ToHaveTextAsync("BACKUP", Follows);
        await Expect(page.Locator(".routerha-maintenance")).ToHaveAttributeAsync("data-on", "0", new() { Timeout = 10_000 });
        await Expect(page.Locator(".routerha-instance-state[data-instance='lan']")).ToContainTextAsync("maintenance");
        // In maintenance A stays BACKUP although it preempts with the higher priority.
        await Wait.HoldsAsync(() => lab.A.State == "BACKUP", 3 * lab.A.Settings.MasterDownInterval, "A staying BACKUP",
            lab.Diagnostics, cts.Token);

        await page.Locator(".routerha-maintenance[data-on='0']").ClickAsync();
        await ConfirmAsync(page);
        await lab.A.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await Expect(State(page)).ToHaveTextAsync("MASTER", Follows);
        Assert.Equal(["routerha.maintenance {\"on\":true}", "routerha.maintenance {\"on\":false}"],
            webA.Calls.Where(c => c.StartsWith("routerha.maintenance", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StatusPageSaysSoWhenTheDaemonDoesNotAnswer()
    {
        using var cts = LuciAssert.Budget();
        var dir = Directory.CreateTempSubdirectory("routerha-luci-").FullName;
        using var cleanup = new TempDir(dir);
        var config = Path.Combine(dir, "routerha");
        var socket = Path.Combine(dir, "ctl.sock");
        File.WriteAllText(config, $"config global\n\toption control_socket '{socket}'\n");
        var routerha = new RouterHaUbus(config);
        using var web = new LuciHarness((obj, method, args) => obj == "routerha" ? routerha.Call(method, args) : new JsonArray(4));
        var page = await chromium.OpenAsync(web.Page("routerha/status"));
        await Expect(page.Locator(".routerha-down")).ToContainTextAsync("routerha does not answer");
        await Expect(page.Locator(".routerha-switchover")).ToHaveCountAsync(0);
        var overview = await chromium.OpenAsync($"{web.Url}?include=status/include/70_routerha");
        await Expect(overview.Locator(".routerha-down")).ToContainTextAsync("routerha does not answer");
    }
}

/// <summary>Removes a test's temporary directory (key, lease store) at the end of the test.</summary>
public sealed class TempDir(string path) : IDisposable
{
    public void Dispose() => Directory.Delete(path, recursive: true);
}

public static class LuciAssert
{
    /// <summary>Every test is bounded: a lab pair, a browser and a few page loads.</summary>
    public static CancellationTokenSource Budget(int seconds = 60)
    {
        Assert.True(Environment.UserName == "root", "the LuCI tests start a routerha pair in network namespaces: they need root");
        return new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    }
}
