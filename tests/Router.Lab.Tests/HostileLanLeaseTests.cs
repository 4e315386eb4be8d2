using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// Issue 15 finding 7: a LAN host churns DHCP leases with a new random MAC for every lease (busybox udhcpc: discover,
/// request, release), which dnsmasq's dhcp-lease-max does not bound, against a replicating pair with the real dnsmasq.
/// Judged from outside: the store files on both routers stay within the configured limits, the master's adverts keep
/// their pace on the wire (tcpdump on the LAN switch) so the backup never takes over, and a genuine client's lease given
/// before the churn is still on both routers after it.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HostileLanLeaseTests(ITestOutputHelper output)
{
    private const int Churn = 300;
    private const int MaxRows = 64;
    private const int MaxTombstones = 32;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    /// <summary>B's master-down interval (3 x 0.2 s + skew for priority 100): a longer silence from A would hand B the role.</summary>
    private static readonly TimeSpan MasterDown = TimeSpan.FromMilliseconds(3 * 200 + (256 - 100) * 200.0 / 256);

    [Fact]
    public async Task DhcpChurnWithRandomMacsKeepsTheStoreBoundedTheAdvertsPacedAndTheGenuineLease()
    {
        using var cts = LabAssert.Budget(300);
        using var lab = LeasePairLab.Create(leasesOptions: new Dictionary<string, string>
        {
            ["max_rows"] = MaxRows.ToString(CultureInfo.InvariantCulture),
            ["max_tombstones"] = MaxTombstones.ToString(CultureInfo.InvariantCulture),
        });
        lab.StartDaemon(0);
        await Wait.UntilAsync(() => lab.State(0) == "MASTER", Step, "A MASTER", lab.Diagnostics, cts.Token);
        lab.StartDaemon(1);
        await Wait.UntilAsync(() => lab.State(1) == "BACKUP", Step, "B BACKUP", lab.Diagnostics, cts.Token);
        await Wait.UntilAsync(() => lab.DnsmasqPid(0) is not null, Step, "dnsmasq started by A's DHCP action", lab.Diagnostics, cts.Token);

        var genuine = lab.StartClient(0, "genuine");
        await Wait.UntilAsync(() => lab.ClientEvents(0).Any(e => e.StartsWith("bound ", StringComparison.Ordinal)), Step,
            "the genuine client bound", () => lab.Diagnostics() + "\n--- udhcpc:\n" + genuine.LogTail(), cts.Token);
        var ip = lab.ClientEvents(0).First().Split(' ')[1];
        var mac = LeasePairLab.ClientMac(0);
        await Wait.UntilAsync(() => lab.HasActiveLease(1, ip, mac), Step, $"lease {ip} replicated to B", lab.Diagnostics, cts.Token);

        var adverts = new List<double>();
        using var capture = LabProcess.Start(lab.Switch, "tcpdump", ["-i", "br0", "-nn", "-tt", "-l", "ip proto 112"], line =>
        {
            // "1796567309.123456 IP 192.168.89.2 > 224.0.0.18: VRRPv3, Advertisement, ..."
            var parts = line.Split(' ');
            if (parts.Length > 2 && parts[2] == LeasePairLab.RouterAddress(0)
                && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var t))
                lock (adverts) adverts.Add(t);
        });
        await Wait.UntilAsync(() => { lock (adverts) return adverts.Count >= 3; }, Step, "tcpdump seeing A's adverts",
            () => capture.LogTail(), cts.Token);

        var churned = await ChurnAsync(lab, cts.Token);
        var (seconds, bound) = churned;
        output.WriteLine($"churn: {bound} leases bound and released with random MACs in {seconds:0.0} s ({bound / seconds:0.0}/s)");
        Assert.True(bound >= Churn * 8 / 10, $"only {bound} of {Churn} churn leases were bound\n{lab.Diagnostics()}");

        // Every release dnsmasq saw has reached A's daemon, been committed, and been acknowledged by B.
        await Wait.UntilAsync(() => Count(lab.Daemons[0]!.Log, "lease del ") >= bound, Step,
            $"A's daemon receiving the {bound} releases", lab.Diagnostics, cts.Token);
        await Wait.UntilAsync(() => Settled(lab), Step, "A's changes written and acknowledged by B", lab.Diagnostics, cts.Token);
        capture.SendTerm();
        double[] times;
        lock (adverts) times = [.. adverts];
        var maxGap = TimeSpan.FromSeconds(times.Zip(times.Skip(1), (a, b) => b - a).Max());

        for (var r = 0; r < 2; r++)
        {
            var (rows, tombstones) = Rows(lab.DbPath(r));
            var wal = lab.DbPath(r) + "-wal";
            output.WriteLine($"{(r == 0 ? "A" : "B")}: {rows} rows ({tombstones} tombstones), file {new FileInfo(lab.DbPath(r)).Length} bytes, " +
                $"WAL {(File.Exists(wal) ? new FileInfo(wal).Length : 0)} bytes");
            Assert.True(rows <= MaxRows, $"{rows} rows on router {r}, limit {MaxRows}");
            Assert.True(tombstones <= MaxTombstones, $"{tombstones} tombstones on router {r}, limit {MaxTombstones}");
            Assert.True(lab.HasActiveLease(r, ip, mac), $"the genuine lease {ip} gone from router {r}\n{lab.Diagnostics()}");
        }
        using (var a = lab.Status(0)!)
        {
            var dropped = a.RootElement.GetProperty("leases").GetProperty("dropped_rows").GetInt64();
            output.WriteLine($"A dropped {dropped} rows by the limits");
            Assert.True(dropped > 0, "the churn must have reached the limits, or the test proves nothing");
        }
        output.WriteLine($"A's adverts on the wire during the churn: {times.Length}, longest gap {maxGap.TotalMilliseconds:0} ms (interval 200 ms, B's master-down {MasterDown.TotalMilliseconds:0} ms)");
        Assert.True(maxGap < MasterDown, $"A's adverts stopped for {maxGap.TotalMilliseconds:0} ms\n{lab.Diagnostics()}");
        Assert.Equal("MASTER", lab.State(0));
        Assert.Equal("BACKUP", lab.State(1));
        using var b = lab.Status(1)!;
        Assert.Equal(0, b.RootElement.GetProperty("instances")[0].GetProperty("counters").GetProperty("became_master").GetInt64());
    }

    /// <summary>
    /// The hostile host, as one shell loop inside its namespace: a fresh random MAC, then udhcpc until bound, when its
    /// script sends it SIGTERM, which it answers with a release (-R; busybox 1.35's -q quits without one).
    /// Returns the duration and how many leases were bound.
    /// </summary>
    private static async Task<(double Seconds, int Bound)> ChurnAsync(LeasePairLab lab, CancellationToken ct)
    {
        var macs = Enumerable.Range(0, Churn).Select(_ =>
        {
            var b = RandomNumberGenerator.GetBytes(5);
            return "02:" + string.Join(':', b.Select(x => x.ToString("x2", CultureInfo.InvariantCulture)));
        });
        var macFile = Path.Combine(lab.Dir, "churn-macs");
        File.WriteAllLines(macFile, macs);
        var boundFile = Path.Combine(lab.Dir, "churn-bound");
        var script = Path.Combine(lab.Dir, "churn-udhcpc");
        File.WriteAllText(script, $"""
            #!/bin/sh
            case "$1" in
              bound) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"; echo "$ip" >> {boundFile}; kill -TERM $PPID;;
              deconfig) ip addr flush dev "$interface";;
            esac
            exit 0

            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var loop = $"while read mac; do ip link set lan0 address \"$mac\"; busybox udhcpc -f -i lan0 -R -t 3 -T 1 -A 1 -s {script} >/dev/null 2>&1; done < {macFile}";
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var churn = LabProcess.Start(lab.Clients[1], "sh", ["-c", loop]);
        var rc = await churn.WaitForExitAsync(TimeSpan.FromSeconds(150));
        Assert.True(rc == 0, $"the churn loop did not finish (rc {rc})\n{churn.LogTail()}");
        ct.ThrowIfCancellationRequested();
        return (sw.Elapsed.TotalSeconds, File.Exists(boundFile) ? File.ReadAllLines(boundFile).Length : 0);
    }

    private static int Count(string log, string what) =>
        log.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));

    /// <summary>A has nothing pending for its file, and B has acknowledged A's whole change log.</summary>
    private static bool Settled(LeasePairLab lab)
    {
        using var a = lab.Status(0);
        if (a is null) return false;
        var leases = a.RootElement.GetProperty("leases");
        return leases.GetProperty("pending").GetInt32() == 0
            && leases.GetProperty("sync") is { } sync && sync.GetProperty("connected").GetBoolean() && sync.GetProperty("pending").GetInt64() == 0;
    }

    private static (long Rows, long Tombstones) Rows(string db)
    {
        var r = Shell.Run("sqlite3", "-readonly", db, "SELECT count(*), coalesce(sum(deleted), 0) FROM leases");
        Assert.True(r.Ok, r.StdErr);
        var parts = r.StdOut.Trim().Split('|');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
