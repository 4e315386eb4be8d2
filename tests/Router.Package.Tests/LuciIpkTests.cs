using System.Formats.Tar;
using System.Text.Json;
using System.Text.RegularExpressions;
using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>build/ipk/luci-app-routerha_*_all.ipk as opkg sees it: where its files land, what its menu and ACL grant,
/// and that the ACL grants exactly the ubus methods `routerha rpcd` serves and the pages call.</summary>
public sealed partial class LuciIpkTests
{
    private static string AppDir => Path.Combine(RouterHaBinary.RepoRoot, "luci-app");

    private static string RequireLuciIpk()
    {
        var dir = Path.Combine(RouterHaBinary.RepoRoot, "build", "ipk");
        return (Directory.Exists(dir)
                   ? Directory.GetFiles(dir, "luci-app-routerha_*_all.ipk").Select(f => new FileInfo(f))
                       .OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()?.FullName
                   : null)
               ?? throw new FileNotFoundException("no luci-app-routerha_*_all.ipk in build/ipk: run `make ipk TARGET=x86_64-openwrt`");
    }

    private readonly string _path = RequireLuciIpk();
    private Ipk Package => Ipk.Read(_path);

    private JsonElement DataJson(string path) =>
        JsonDocument.Parse(Package.DataFile(path)?.Content ?? throw new FileNotFoundException($"the luci ipk has no {path}")).RootElement;

    [Fact]
    public void ControlSaysArchitectureAllAndDependsOnLuciBaseAndRouterha()
    {
        var f = Package.Fields();
        Assert.Equal("luci-app-routerha", f["Package"]);
        Assert.Equal("all", f["Architecture"]);
        Assert.Equal("libc, luci-base, routerha", f["Depends"]);
        Assert.Equal($"luci-app-routerha_{f["Version"]}_all.ipk", Path.GetFileName(_path));
        var routerha = Ipk.Read(PackageArtifacts.RequireIpk()).Fields()["Version"];
        Assert.Equal(routerha, f["Version"]);
        var dataBytes = Package.Data.Where(e => e.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile).Sum(e => (long)e.Content.Length);
        Assert.Equal(dataBytes, long.Parse(f["Installed-Size"]));
    }

    [Fact]
    public void FilesLandWhereLuciLooksRootOwnedAndReadable()
    {
        var expected = new List<string>
        {
            "./usr/share/luci/menu.d/luci-app-routerha.json",
            "./usr/share/rpcd/acl.d/luci-app-routerha.json",
        };
        var htdocs = Path.Combine(AppDir, "htdocs");
        if (Directory.Exists(htdocs))
            expected.AddRange(Directory.GetFiles(htdocs, "*", SearchOption.AllDirectories)
                .Select(f => "./www/" + Path.GetRelativePath(htdocs, f)));
        var files = Package.Data.Where(e => e.Type != TarEntryType.Directory).ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), files.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.All(files, e => Assert.Equal(("644", 0, 0), (Convert.ToString(e.Octal, 8), e.Uid, e.Gid)));
        Assert.All(Package.Data.Where(e => e.Type == TarEntryType.Directory),
            d => Assert.Equal(("755", 0, 0), (Convert.ToString(d.Octal, 8), d.Uid, d.Gid)));
    }

    [Fact]
    public void MenuPutsStatusUnderStatusAndConfigurationUnderServicesBehindTheAcl()
    {
        var menu = DataJson("/usr/share/luci/menu.d/luci-app-routerha.json");
        var views = menu.EnumerateObject().ToDictionary(p => p.Name,
            p => (p.Value.GetProperty("action").GetProperty("type").GetString(), p.Value.GetProperty("action").GetProperty("path").GetString()));
        Assert.Equal(new Dictionary<string, (string?, string?)>
        {
            ["admin/status/routerha"] = ("view", "routerha/status"),
            ["admin/services/routerha"] = ("view", "routerha/config"),
        }, views);
        foreach (var entry in menu.EnumerateObject())
        {
            var depends = entry.Value.GetProperty("depends");
            Assert.Equal(["luci-app-routerha"], depends.GetProperty("acl").EnumerateArray().Select(a => a.GetString()));
            Assert.True(depends.GetProperty("uci").GetProperty("routerha").GetBoolean());
            Assert.False(string.IsNullOrWhiteSpace(entry.Value.GetProperty("title").GetString()));
        }
    }

    [Fact]
    public void EveryMenuViewIsShipped()
    {
        var menu = DataJson("/usr/share/luci/menu.d/luci-app-routerha.json");
        foreach (var entry in menu.EnumerateObject())
        {
            var view = entry.Value.GetProperty("action").GetProperty("path").GetString();
            Assert.True(Package.DataFile($"/www/luci-static/resources/view/{view}.js") is not null,
                $"{entry.Name} opens view {view}, which the ipk lacks (luci-app/htdocs/luci-static/resources/view/{view}.js)");
        }
    }

    private static HashSet<string> Grants(JsonElement acl, string access) =>
        acl.GetProperty(access).GetProperty("ubus").EnumerateObject()
            .SelectMany(o => o.Value.EnumerateArray().Select(m => $"{o.Name}.{m.GetString()}")).ToHashSet();

    [Fact]
    public void AclReadsStatusLeasesAndUciAndWritesOnlyWhatThePagesChange()
    {
        var root = DataJson("/usr/share/rpcd/acl.d/luci-app-routerha.json");
        var acl = root.GetProperty("luci-app-routerha");
        Assert.Equal(["luci-app-routerha"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["description", "read", "write"], acl.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["routerha.leases", "routerha.status"], Grants(acl, "read").Order());
        Assert.Equal(["routerha.genkey", "routerha.maintenance", "routerha.switchover"], Grants(acl, "write").Order());
        foreach (var access in (string[])["read", "write"])
        {
            Assert.Equal(["ubus", "uci"], acl.GetProperty(access).EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(["routerha"], acl.GetProperty(access).GetProperty("uci").EnumerateArray().Select(u => u.GetString()));
        }
    }

    [Fact]
    public void AclGrantsExactlyTheMethodsRouterhaRpcdServes()
    {
        var acl = DataJson("/usr/share/rpcd/acl.d/luci-app-routerha.json").GetProperty("luci-app-routerha");
        var list = JsonDocument.Parse(Shell.Check(RouterHaBinary.Require(), "rpcd", "list")).RootElement;
        var served = list.EnumerateObject().Select(p => "routerha." + p.Name).Order();
        Assert.Equal(served, Grants(acl, "read").Concat(Grants(acl, "write")).Order());
    }

    [Fact]
    public void AclCoversEveryUbusMethodTheViewsCall()
    {
        var acl = DataJson("/usr/share/rpcd/acl.d/luci-app-routerha.json").GetProperty("luci-app-routerha");
        var granted = Grants(acl, "read").Concat(Grants(acl, "write")).ToHashSet();
        var calls = Package.Data.Where(e => e.Name.EndsWith(".js", StringComparison.Ordinal))
            .SelectMany(e => Declare().Matches(e.Text).Select(m => (File: e.Name, Call: $"{m.Groups["object"].Value}.{m.Groups["method"].Value}")))
            .ToList();
        Assert.All(calls, c => Assert.True(granted.Contains(c.Call), $"{c.File} calls ubus {c.Call}, which the ACL does not grant"));
    }

    [Fact]
    public void TheRouterhaIpkShipsTheOneLineShimToTheVerb()
    {
        var shim = Ipk.Read(PackageArtifacts.RequireIpk()).DataFile("/usr/libexec/rpcd/routerha");
        Assert.NotNull(shim);
        Assert.Equal("#!/bin/sh\nexec /usr/sbin/routerha rpcd \"$@\"\n", shim.Text);
        Assert.Equal("755", Convert.ToString(shim.Octal, 8));
    }

    [Fact]
    public void PostinstDropsLuciCachesAndReloadsTheStandInRpcd()
    {
        using var root = MuslRoot.Create();
        root.WriteFile("/etc/init.d/rpcd", "#!/bin/sh\necho \"$1\" >> /tmp/rpcd-calls\n", "0755");
        root.WriteFile("/tmp/luci-indexcache.abc.json", "{}", "0644");
        root.WriteFile("/tmp/luci-modulecache/x", "x", "0644");
        root.WriteFile("/tmp/postinst", Package.ControlFile("postinst").Text, "0755");
        var r = root.Run("/tmp/postinst", []);
        Assert.True(r.Ok, r.StdErr);
        Assert.False(File.Exists(root.PathOf("/tmp/luci-indexcache.abc.json")));
        Assert.False(Directory.Exists(root.PathOf("/tmp/luci-modulecache")));
        Assert.Equal(["reload"], File.ReadAllLines(root.PathOf("/tmp/rpcd-calls")));
    }

    [Fact]
    public void PostinstInAnImageBuildLeavesCachesAndTheStandInRpcdAlone()
    {
        using var root = MuslRoot.Create();
        root.WriteFile("/etc/init.d/rpcd", "#!/bin/sh\necho \"$1\" >> /tmp/rpcd-calls\n", "0755");
        root.WriteFile("/tmp/luci-indexcache", "{}", "0644");
        root.WriteFile("/tmp/postinst", Package.ControlFile("postinst").Text, "0755");
        var r = root.Run("/tmp/postinst", [], new Dictionary<string, string> { ["IPKG_INSTROOT"] = "/image" });
        Assert.True(r.Ok, r.StdErr);
        Assert.True(File.Exists(root.PathOf("/tmp/luci-indexcache")));
        Assert.False(File.Exists(root.PathOf("/tmp/rpcd-calls")));
    }

    // rpc.declare({ object: 'routerha', method: 'status', ... }) in either quote style and either key order.
    [GeneratedRegex("""rpc\.declare\(\s*\{[^}]*?object:\s*['"](?<object>[^'"]+)['"][^}]*?method:\s*['"](?<method>[^'"]+)['"]""")]
    private static partial Regex Declare();
}
