using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// The ipk's postinst / prerm run by busybox sh in a musl root where /etc/init.d/routerha is a stand-in that
/// records its verb (the real one needs OpenWrt's rc.common and procd).
/// </summary>
public sealed class MaintainerScriptTests : IDisposable
{
    private readonly MuslRoot _root = MuslRoot.Create();
    private readonly Ipk _ipk = Ipk.Read(PackageArtifacts.RequireIpk());

    public MaintainerScriptTests()
    {
        _root.WriteFile("/etc/init.d/routerha", "#!/bin/sh\necho \"$1\" >> /tmp/initd-calls\n", "0755");
        foreach (var name in (string[])["postinst", "prerm"])
            _root.WriteFile("/tmp/" + name, _ipk.ControlFile(name).Text, "0755");
    }

    private string[] RunScript(string name, Dictionary<string, string>? env = null)
    {
        var r = _root.Run("/tmp/" + name, [], env);
        Assert.True(r.Ok, $"{name} failed ({r.ExitCode}): {r.StdErr}");
        var calls = _root.PathOf("/tmp/initd-calls");
        return File.Exists(calls) ? File.ReadAllLines(calls) : [];
    }

    [Fact]
    public void PostinstEnablesThenStartsTheServiceOnTheStandInInitScript()
    {
        Assert.Equal(["enable", "start"], RunScript("postinst"));
    }

    [Fact]
    public void PrermStopsFirstSoAMasterHandsOverThenDisablesOnTheStandInInitScript()
    {
        Assert.Equal(["stop", "disable"], RunScript("prerm"));
    }

    [Fact]
    public void ImageBuildOnlyLinksTheBootScriptAndRunsNothing()
    {
        Directory.CreateDirectory(_root.PathOf("/image/etc/init.d"));
        Assert.Empty(RunScript("postinst", new() { ["IPKG_INSTROOT"] = "/image" }));
        // The boot link carries the init script's START, as `/etc/init.d/routerha enable` would name it.
        var start = _ipk.DataFile("/etc/init.d/routerha")!.Text.Split('\n').Single(l => l.StartsWith("START=", StringComparison.Ordinal))[6..];
        var link = new FileInfo(_root.PathOf($"/image/etc/rc.d/S{start}routerha"));
        Assert.Equal("../init.d/routerha", link.LinkTarget);
        // The boot guard runs before netifd (START 15 < network's 20).
        Assert.Equal("../init.d/routerha-boot", new FileInfo(_root.PathOf("/image/etc/rc.d/S15routerha-boot")).LinkTarget);
        Assert.Empty(RunScript("prerm", new() { ["IPKG_INSTROOT"] = "/image" }));
    }

    public void Dispose() => _root.Dispose();
}
