using System.Globalization;
using System.Text.RegularExpressions;
using Router.Core.Config;
using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// `routerha import-keepalived` as a user runs it: every VRRP sample keepalived ships in Debian imported and
/// checked by `routerha check-config`, and the exit codes and FILE:LINE messages of the verb. No namespaces are
/// created: check-config runs under `unshare --net`, where no interface of this host can make a sample's VIPs
/// look outside its subnets.
/// </summary>
[Collection(LabCollection.Name)]
public sealed partial class ImportKeepalivedCliTests : IDisposable
{
    private const string Samples = "/usr/share/doc/keepalived/samples";
    private readonly string _dir = Directory.CreateTempSubdirectory($"{LabRun.Prefix}-import-").FullName;
    private readonly string _bin = RouterHaBinary.Require();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The samples the brief names, and any other that has a vrrp_instance (keepalived's text, read in place).</summary>
    public static TheoryData<string> VrrpSamples()
    {
        var named = new[] { "keepalived.conf.vrrp", "keepalived.conf.IPv6", "keepalived.conf.track_interface", "keepalived.conf.sample" };
        var data = new TheoryData<string>();
        var files = Directory.Exists(Samples) ? Directory.GetFiles(Samples, "keepalived.conf.*").Select(Path.GetFileName).ToList() : [];
        foreach (var f in files.Where(f => named.Contains(f) || f!.StartsWith("keepalived.conf.vrrp", StringComparison.Ordinal)
                                           || File.ReadAllText(Path.Combine(Samples, f!)).Contains("vrrp_instance", StringComparison.Ordinal)).Order())
            data.Add(f!);
        return data;
    }

    [Fact]
    public void TheSamplesAreInstalled()
    {
        // Without the keepalived package the theory below would have no rows and prove nothing.
        Assert.True(VrrpSamples().Count >= 10, $"keepalived's samples missing from {Samples}: make deps-lab installs keepalived");
    }

    [Theory]
    [MemberData(nameof(VrrpSamples))]
    public void EverySampleImportsIntoAConfigCheckConfigAcceptsWithTheSameVirtualRouters(string sample)
    {
        var source = Path.Combine(Samples, sample);
        var expected = KeepalivedInstances(File.ReadAllText(source));
        var import = Shell.Run(_bin, ["import-keepalived", source, "--force"], TimeSpan.FromSeconds(20));
        Assert.True(import.ExitCode == 0, $"import-keepalived {sample}: exit {import.ExitCode}\n{import.StdErr}");
        if (expected.Count == 0)
        {
            // keepalived.conf.IPv6 is LVS only: nothing to run, and the import says so.
            Assert.Contains($"{source}:1: no vrrp_instance found", import.StdErr);
            return;
        }
        var uci = Path.Combine(_dir, sample + ".uci");
        File.WriteAllText(uci, import.StdOut);
        var check = Shell.Run("/usr/bin/unshare", ["--net", _bin, "check-config", "-c", uci], TimeSpan.FromSeconds(20));
        Assert.True(check.ExitCode == 0, $"check-config of the import of {sample}: exit {check.ExitCode}\n{check.StdErr}\n{import.StdOut}");

        var errors = new List<ConfigError>();
        var doc = UciParser.Parse(uci, import.StdOut, errors);
        var imported = doc.Sections.Where(s => s.Type == "instance").ToDictionary(s => s.Name!);
        Assert.Equal(expected.Keys.Order(), imported.Keys.Order());
        foreach (var (name, want) in expected)
        {
            var got = imported[name];
            string? Option(string o) => got.Options.FirstOrDefault(x => x.Name == o)?.Value;
            Assert.Equal(want.Vrid, Option("vrid"));
            Assert.Equal(want.Priority ?? "100", Option("priority") ?? "100");
            Assert.Equal(decimal.Parse(want.Advert ?? "1", CultureInfo.InvariantCulture), decimal.Parse(Option("advert_interval")!, CultureInfo.InvariantCulture));
            // Addresses on another device than the instance's cannot be carried (reported on stderr); all others are.
            Assert.Equal(want.Vips.Where(v => v.Dev is null || v.Dev == want.Interface).Select(v => v.Address).Distinct(),
                got.Options.Where(x => x.Name == "vip").Select(x => x.Value));
            foreach (var moved in want.Vips.Where(v => v.Dev is not null && v.Dev != want.Interface))
                Assert.Contains($"virtual_ipaddress {moved.Address} dev {moved.Dev}: routerha puts every VIP of an instance on its interface", import.StdErr);
        }
    }

    private sealed record Vip(string Address, string? Dev);

    private sealed record Expected(string Vrid, string? Priority, string? Advert, string Interface, List<Vip> Vips);

    /// <summary>
    /// The sample's instances read independently of the importer, by the layout the samples use: one statement
    /// per line, `vrrp_instance NAME {` ... the matching `}`.
    /// </summary>
    private static Dictionary<string, Expected> KeepalivedInstances(string text)
    {
        var result = new Dictionary<string, Expected>();
        var lines = text.Split('\n').Select(l => CommentRegex().Replace(l, "").Trim()).ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            var head = InstanceRegex().Match(lines[i]);
            if (!head.Success) continue;
            var depth = 1;
            string? vrid = null, priority = null, advert = null, dev = null;
            var vips = new List<Vip>();
            var inVips = false;
            for (i++; i < lines.Count && depth > 0; i++)
            {
                var words = lines[i].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 0) continue;
                if (depth == 1 && words is ["virtual_router_id", var v, ..]) vrid = v;
                if (depth == 1 && words is ["priority", var p, ..]) priority = p;
                if (depth == 1 && words is ["advert_int", var a, ..]) advert = a;
                if (depth == 1 && words is ["interface", var d, ..]) dev = d;
                if (depth == 2 && inVips && words[0] != "}")
                {
                    var at = Array.IndexOf(words, "dev");
                    vips.Add(new Vip(words[0], at > 0 ? words[at + 1] : null));
                }
                if (depth == 1 && words[0] == "virtual_ipaddress") inVips = true;
                depth += words.Count(w => w == "{") - words.Count(w => w == "}");
                if (depth == 1) inVips = false;
            }
            i--;
            result[head.Groups[1].Value] = new Expected(vrid!, priority, advert, dev!, vips);
        }
        return result;
    }

    [GeneratedRegex(@"[#!].*$")]
    private static partial Regex CommentRegex();

    [GeneratedRegex(@"^vrrp_instance\s+(\S+)\s*\{$")]
    private static partial Regex InstanceRegex();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Instance = """
        vrrp_instance lan {
            interface eth0
            virtual_router_id 51
            virtual_ipaddress {
                10.9.0.1/24
            }
        }

        """;

    [Fact]
    public void EverythingCarriedOverExitsZeroWithTheConfigOnStdout()
    {
        var conf = Write("ok.conf", "global_defs {\n  notification_email {\n    root\n  }\n}\n" + Instance);
        var r = Shell.Run(_bin, ["import-keepalived", conf], TimeSpan.FromSeconds(20));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("config instance 'lan'", r.StdOut);
        Assert.Contains("\toption version '2'", r.StdOut);
        // Mail is not carried over, but it does not change the pair: a note, not a failure.
        Assert.Equal($"{conf}:2: notification_email: routerha sends no mail; use a notify script or the MQTT / Home Assistant notifications — ignored",
            r.StdErr.Trim());
    }

    [Fact]
    public void SomethingImportantDroppedExitsOneUnlessForced()
    {
        var conf = Write("lvs.conf", Instance + "virtual_server 10.9.0.1 80 {\n  real_server 10.9.0.5 80 {\n  }\n}\n");
        var r = Shell.Run(_bin, ["import-keepalived", conf], TimeSpan.FromSeconds(20));
        Assert.Equal(1, r.ExitCode);
        var lines = r.StdErr.Trim().Split('\n');
        Assert.Equal($"{conf}:8: virtual_server: routerha moves VRRP addresses only; keep LVS in ipvsadm or keepalived's checker (keepalived -C, no VRRP) — dropped", lines[0]);
        Assert.Contains("config instance 'lan'", r.StdOut);
        var forced = Shell.Run(_bin, ["import-keepalived", "--force", conf], TimeSpan.FromSeconds(20));
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(lines[0], forced.StdErr.Split('\n')[0]);
        Assert.Equal(r.StdOut, forced.StdOut);
    }

    [Fact]
    public void IncludesAreFollowedAndAMissingOneIsReportedAtItsLine()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "conf.d"));
        Write("conf.d/lan.conf", Instance);
        var conf = Write("main.conf", "include conf.d/*.conf\ninclude missing.conf\n");
        var r = Shell.Run(_bin, ["import-keepalived", conf], TimeSpan.FromSeconds(20));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("config instance 'lan'", r.StdOut);
        Assert.StartsWith($"{conf}:2: include {Path.Combine(_dir, "missing.conf")}: cannot read the file", r.StdErr);
    }

    [Fact]
    public void UsageUnreadableFilesAndBadSyntaxExitTwo()
    {
        var none = Shell.Run(_bin, ["import-keepalived"], TimeSpan.FromSeconds(20));
        Assert.Equal(2, none.ExitCode);
        Assert.StartsWith("routerha: import-keepalived needs a keepalived.conf file", none.StdErr);
        var missing = Shell.Run(_bin, ["import-keepalived", Path.Combine(_dir, "nope.conf")], TimeSpan.FromSeconds(20));
        Assert.Equal((2, $"routerha: cannot read {Path.Combine(_dir, "nope.conf")}"), (missing.ExitCode, missing.StdErr.Trim()));
        var conf = Write("broken.conf", Instance.Replace("    }\n}", "    }\n", StringComparison.Ordinal));
        var broken = Shell.Run(_bin, ["import-keepalived", conf, "--force"], TimeSpan.FromSeconds(20));
        Assert.Equal(2, broken.ExitCode);
        Assert.Equal("", broken.StdOut);
        Assert.StartsWith($"{conf}:1: the '{{' of 'vrrp_instance' is never closed (unbalanced braces)", broken.StdErr);
    }
}
