using System.Formats.Tar;
using System.Text.RegularExpressions;
using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>The ipk that `make ipk` writes, unpacked and checked the way opkg will see it.</summary>
public sealed partial class IpkContentsTests
{
    private readonly string _path = PackageArtifacts.RequireIpk();
    private Ipk Package => Ipk.Read(_path);

    [Fact]
    public void OuterArchiveHoldsDebianBinaryControlAndData()
    {
        var ipk = Package;
        Assert.Equal(["./debian-binary", "./data.tar.gz", "./control.tar.gz"], ipk.Outer.Select(e => e.Name));
        Assert.Equal("2.0\n", ipk.Member("./debian-binary").Text);
        Assert.Matches(@"routerha_[0-9][^_]*_x86_64\.ipk$", Path.GetFileName(_path));
    }

    [Fact]
    public void ControlFieldsDescribeTheX64MuslPackage()
    {
        var ipk = Package;
        var f = ipk.Fields();
        Assert.Equal("routerha", f["Package"]);
        Assert.Equal("x86_64", f["Architecture"]);
        // libsqlite3: the lease store; libopenssl3: HMAC on the peer channel and MQTT over TLS (both loaded at run time).
        Assert.Equal("libc, libsqlite3, libopenssl3", f["Depends"]);
        Assert.False(string.IsNullOrWhiteSpace(f["Description"]));
        var dataBytes = ipk.Data.Where(e => e.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile).Sum(e => (long)e.Content.Length);
        Assert.Equal(dataBytes, long.Parse(f["Installed-Size"]));
        Assert.Equal($"routerha_{f["Version"]}_x86_64.ipk", Path.GetFileName(_path));
    }

    [Fact]
    public void VersionComesFromTheGitDescribeEmbeddedInTheBinary()
    {
        using var root = MuslRoot.Create();
        root.InstallIpk(_path);
        var binaryVersion = root.Check("/usr/sbin/routerha", "version").Trim();
        var version = Package.Fields()["Version"];
        Assert.Matches(OpkgVersion(), version);
        Assert.EndsWith(binaryVersion.TrimStart('v'), version, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/usr/sbin/routerha", 0b111_101_101)]
    [InlineData("/etc/init.d/routerha", 0b111_101_101)]
    [InlineData("/etc/init.d/routerha-boot", 0b111_101_101)]
    [InlineData("/etc/config/routerha", 0b110_000_000)]
    [InlineData("/etc/hotplug.d/dhcp/50-routerha", 0b110_100_100)]
    [InlineData("/usr/libexec/rpcd/routerha", 0b111_101_101)]
    public void FilesAreInstalledWhereOpenWrtLooksWithTheirModes(string path, int mode)
    {
        var e = Package.DataFile(path);
        Assert.NotNull(e);
        Assert.Equal(Convert.ToString(mode, 8), Convert.ToString(e.Octal, 8));
        Assert.Equal((0, 0), (e.Uid, e.Gid));
    }

    [Fact]
    public void DataHoldsOnlyThePackagedFilesAndRootOwnedDirectories()
    {
        var files = Package.Data.Where(e => e.Type != TarEntryType.Directory).Select(e => e.Name).Order();
        Assert.Equal(["./etc/config/routerha", "./etc/hotplug.d/dhcp/50-routerha", "./etc/init.d/routerha",
            "./etc/init.d/routerha-boot", "./usr/libexec/rpcd/routerha", "./usr/sbin/routerha"], files);
        Assert.All(Package.Data.Where(e => e.Type == TarEntryType.Directory),
            d => Assert.Equal(("755", 0, 0), (Convert.ToString(d.Octal, 8), d.Uid, d.Gid)));
    }

    [Fact]
    public void ConfigIsAConffileSoUpgradesKeepTheUsersSettings()
    {
        var ipk = Package;
        Assert.Equal("/etc/config/routerha\n", ipk.ControlFile("conffiles").Text);
        Assert.NotNull(ipk.DataFile("/etc/config/routerha"));
    }

    [Fact]
    public void MaintainerScriptsAreExecutableShellScripts()
    {
        var ipk = Package;
        foreach (var name in (string[])["postinst", "prerm"])
        {
            var s = ipk.ControlFile(name);
            Assert.Equal("755", Convert.ToString(s.Octal, 8));
            Assert.StartsWith("#!/bin/sh\n", s.Text, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^[0-9][0-9A-Za-z.+~-]*$")]
    private static partial Regex OpkgVersion();
}
