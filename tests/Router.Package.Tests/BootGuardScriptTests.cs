using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// /etc/init.d/routerha-boot from the ipk, run by busybox sh in a musl root through a minimal stand-in rc.common
/// (calls the named function, as OpenWrt's does at boot), with stand-ins for /etc/init.d/routerha (its `enabled`)
/// and /usr/sbin/routerha (records its argv).
/// </summary>
public sealed class BootGuardScriptTests : IDisposable
{
    private readonly MuslRoot _root = MuslRoot.Create();

    public BootGuardScriptTests()
    {
        _root.InstallIpk(PackageArtifacts.RequireIpk());
        _root.WriteFile("/etc/rc.common", "#!/bin/sh\n. \"$1\"\nshift\n\"$@\"\n", "0755");
        _root.WriteFile("/usr/sbin/routerha", "#!/bin/sh\necho \"$*\" >> /tmp/routerha-calls\n", "0755");
    }

    private string[] Boot(bool routerhaEnabled)
    {
        _root.WriteFile("/etc/init.d/routerha", $"#!/bin/sh\n[ \"$1\" = enabled ] && exit {(routerhaEnabled ? 0 : 1)}\nexit 0\n", "0755");
        var r = _root.Run("/bin/sh", "/etc/rc.common", "/etc/init.d/routerha-boot", "boot");
        Assert.True(r.Ok, $"routerha-boot failed ({r.ExitCode}): {r.StdErr}");
        var calls = _root.PathOf("/tmp/routerha-calls");
        return File.Exists(calls) ? File.ReadAllLines(calls) : [];
    }

    [Fact]
    public void BootRunsTheGuardOnTheConffileBeforeTheNetworkOnlyWhileRouterhaIsEnabled()
    {
        var script = File.ReadAllText(_root.PathOf("/etc/init.d/routerha-boot"));
        Assert.Contains("\nSTART=15\n", script); // netifd's network script is START=20
        Assert.Empty(Boot(routerhaEnabled: false));
        Assert.Equal(["boot-guard -c /etc/config/routerha"], Boot(routerhaEnabled: true));
    }

    public void Dispose() => _root.Dispose();
}
