using System.Globalization;
using System.Text.Json;
using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// Issue 15 findings 5 and 6 through the real binary: the lease store on a read-only or full overlay (a tmpfs in a
/// private mount namespace), and a store holding rows SQLite's integrity check accepts but routerha must not use.
/// Judged as dnsmasq and the user see it: what `dhcp-script init` prints and returns, whether the daemon reaches
/// its VRRP role, what `status` says.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LeaseStoreDamageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(100);

    private static readonly (string Mac, string Ip, string Host)[] Kept =
    [
        ("02:00:00:00:98:01", "10.98.0.101", "alpha"),
        ("02:00:00:00:98:02", "10.98.0.102", "bravo"),
        ("02:00:00:00:98:03", "10.98.0.103", "charlie"),
    ];

    private static string Line((string Mac, string Ip, string Host) l) => $" {l.Mac} {l.Ip} {l.Host} ";

    private static async Task<JsonElement> StatusWhen(StoreMountLab lab, Func<JsonElement, bool> done, string what, CancellationToken ct)
    {
        using var doc = await Wait.ForAsync(() => Task.FromResult(lab.Status()), d => d is not null && done(d.RootElement), Step, what,
            d => (d?.RootElement.GetRawText() ?? "(no answer)") + "\n" + lab.Diagnostics(), StatusPoll, ct);
        return doc!.RootElement.Clone();
    }

    private static Task<JsonElement> MasterWithLeasesWritten(StoreMountLab lab, CancellationToken ct) =>
        StatusWhen(lab, s => s.GetProperty("instances")[0].GetProperty("state").GetString() == "MASTER"
            && s.GetProperty("leases").GetProperty("pending").GetInt32() == 0, "MASTER with every lease written", ct);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InitOnAReadOnlyOverlayPrintsTheStoredLeasesAndExitsZero(bool daemonCrashed)
    {
        using var cts = LabAssert.Budget(90);
        using var lab = StoreMountLab.Create();
        lab.StartDaemon();
        await MasterWithLeasesWritten(lab, cts.Token);
        foreach (var l in Kept) Assert.True(lab.DhcpScript("add", l.Mac, l.Ip, l.Host).Ok);
        await MasterWithLeasesWritten(lab, cts.Token);
        if (daemonCrashed)
        {
            // A power cut: the WAL and its index stay beside the file, holding the latest commits.
            lab.Daemon!.Kill9();
            Assert.Contains("leases.db-wal", lab.Listing());
        }
        else
        {
            lab.Daemon!.SendTerm();
            Assert.NotNull(await lab.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }
        await lab.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
        lab.RemountReadOnly();
        Assert.False(lab.Run("touch", [Path.Combine(lab.StoreDir, "probe")]).Ok, "the store's file system must be read-only");

        var init = lab.Init();
        Assert.Equal(0, init.ExitCode);
        foreach (var l in Kept) Assert.Contains(Line(l), init.StdOut);
        output.WriteLine($"init on a read-only store ({(daemonCrashed ? "WAL left by a crash" : "clean stop")}):\n{init.StdOut}--- stderr:\n{init.StdErr}");

        // A new lease with no daemon to hold it: the call says it could not store it (dnsmasq logs the exit code).
        var add = lab.DhcpScript("add", "02:00:00:00:98:09", "10.98.0.109", "late");
        Assert.Equal(1, add.ExitCode);
        Assert.Contains(daemonCrashed ? "not stored" : "cannot store the lease", add.StdErr);
        output.WriteLine($"add on a read-only store: rc {add.ExitCode}: {add.StdErr.Trim()}");
        Assert.Equal(0, lab.Init().ExitCode);
    }

    [Fact]
    public async Task OnAFullOverlayInitPrintsTheLeasesAndTheDaemonKeepsANewLeaseUntilItCanWriteIt()
    {
        using var cts = LabAssert.Budget(120);
        using var lab = StoreMountLab.Create();
        lab.StartDaemon();
        await MasterWithLeasesWritten(lab, cts.Token);
        foreach (var l in Kept[..2]) Assert.True(lab.DhcpScript("add", l.Mac, l.Ip, l.Host).Ok);
        await MasterWithLeasesWritten(lab, cts.Token);
        var free = lab.Fill();
        output.WriteLine($"tmpfs filled: {free} bytes free");

        // The daemon takes the lease (dnsmasq must not wait), fails to commit it, says so, and still serves it.
        var late = Kept[2];
        var add = lab.DhcpScript("add", late.Mac, late.Ip, late.Host);
        Assert.True(add.Ok, add.StdErr);
        var failing = await StatusWhen(lab, s => s.GetProperty("leases").TryGetProperty("write_error", out _),
            "status naming the failed write", cts.Token);
        var leases = failing.GetProperty("leases");
        Assert.Equal(1, leases.GetProperty("pending").GetInt32());
        Assert.Equal(3, leases.GetProperty("active").GetInt32());
        output.WriteLine($"status while full: {leases.GetRawText()}");
        Assert.Contains("store not writable", lab.RouterHa("status").StdOut);
        Assert.Contains("cannot write", lab.Daemon!.Log);
        var init = lab.Init();
        Assert.Equal(0, init.ExitCode);
        foreach (var l in Kept) Assert.Contains(Line(l), init.StdOut);
        Assert.Equal("MASTER", failing.GetProperty("instances")[0].GetProperty("state").GetString());

        // Space comes back: the retry (1 s, doubling) writes it; then even the daemon's death does not lose it.
        lab.Unfill();
        await StatusWhen(lab, s => s.GetProperty("leases") is var x && x.GetProperty("pending").GetInt32() == 0
            && !x.TryGetProperty("write_error", out _), "the kept lease written once there is space", cts.Token);
        Assert.Contains("writing again", lab.Daemon.Log);

        // Full again with the daemon dead: init (read-only first) still answers from the file.
        lab.Fill();
        lab.Daemon.Kill9();
        await lab.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
        init = lab.Init();
        Assert.Equal(0, init.ExitCode);
        foreach (var l in Kept) Assert.Contains(Line(l), init.StdOut);
        output.WriteLine($"init on a full store, daemon down: rc {init.ExitCode}, stderr: {init.StdErr.Trim()}");

        // Without a daemon the dhcp-script call has nowhere to keep a lease: it says why and exits 1.
        var direct = lab.DhcpScript("add", "02:00:00:00:98:09", "10.98.0.109", "late");
        Assert.Equal(1, direct.ExitCode);
        Assert.Contains("full", direct.StdErr);
        Assert.Contains("not stored", direct.StdErr);
        output.WriteLine($"add on a full store, daemon down: rc {direct.ExitCode}: {direct.StdErr.Trim()}");
        Assert.DoesNotContain("10.98.0.109", lab.Init().StdOut);
    }

    [Fact]
    public async Task BadRowsAreSkippedTheDaemonReachesMasterAndInitServesTheRest()
    {
        using var cts = LabAssert.Budget(90);
        using var lab = StoreMountLab.Create();
        // No daemon yet: the calls create the store and write the rows themselves.
        foreach (var l in Kept[..2]) Assert.True(lab.DhcpScript("add", l.Mac, l.Ip, l.Host).Ok);
        var expires = DateTimeOffset.UtcNow.AddHours(12).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        // All pass PRAGMA integrity_check: an address no parser takes, a hardware address longer than DHCP's 16 bytes
        // (and dnsmasq's 20), one that is not hex.
        var tooLong = string.Join(':', Enumerable.Repeat("02", 21));
        var sql = $"""
            INSERT INTO leases (mac, ip, expires, hostname, client_id, interface, hlc, origin, deleted, seq) VALUES
              ('02:00:00:00:98:66', '192.168.1.999', {expires}, 'evil', NULL, NULL, 1, 'hand-edit', 0, 1000),
              ('{tooLong}', '10.98.0.166', {expires}, 'long', NULL, NULL, 2, 'hand-edit', 0, 1001),
              ('02:00:00:00:98:6g', '10.98.0.167', {expires}, 'nothex', NULL, NULL, 3, 'hand-edit', 0, 1002);
            """;
        var inserted = lab.Sqlite(sql);
        Assert.True(inserted.Ok, inserted.StdErr);
        Assert.Equal("ok", lab.Sqlite("PRAGMA integrity_check").StdOut.Trim());

        lab.StartDaemon();
        var status = await StatusWhen(lab, s => s.GetProperty("instances")[0].GetProperty("state").GetString() == "MASTER",
            "the daemon MASTER despite the bad rows", cts.Token);
        Assert.False(lab.Daemon!.HasExited);
        Assert.Equal(3, status.GetProperty("leases").GetProperty("bad_rows").GetInt32());
        Assert.Equal(2, status.GetProperty("leases").GetProperty("active").GetInt32());
        Assert.Contains("3 bad row(s) skipped", lab.RouterHa("status").StdOut);
        Assert.Contains("3 row(s) fail validation", lab.Daemon.Log);

        var init = lab.Init();
        Assert.Equal(0, init.ExitCode);
        foreach (var l in Kept[..2]) Assert.Contains(Line(l), init.StdOut);
        Assert.DoesNotContain("999", init.StdOut);
        Assert.DoesNotContain("10.98.0.166", init.StdOut);
        Assert.DoesNotContain("10.98.0.167", init.StdOut);

        // The same from the file alone, as dnsmasq gets it when the daemon is not running.
        lab.Daemon.SendTerm();
        Assert.NotNull(await lab.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        init = lab.Init();
        Assert.Equal(0, init.ExitCode);
        Assert.Equal(2, init.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("3 row(s) fail validation", init.StdErr);
        output.WriteLine($"init with three bad rows, daemon down:\n{init.StdOut}--- stderr:\n{init.StdErr}");
    }
}
