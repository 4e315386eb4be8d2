using System.Net.Sockets;
using static Router.Core.Tests.Config.ConfigTestSupport;

namespace Router.Core.Tests.Config;

public class ExampleConfigTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Router.sln"))) return dir.FullName;
        throw new InvalidOperationException("Router.sln not found above " + AppContext.BaseDirectory);
    }

    private static string ExampleText() =>
        File.ReadAllText(Path.Combine(RepoRoot(), "docs", "examples", "routerha.example"));

    [Fact]
    public void TheShippedExampleLoadsWithoutErrors()
    {
        var config = LoadOk(ExampleText());
        Assert.Equal(["lan", "lan6"], config.Instances.Select(i => i.Vrrp.Name));
        Assert.All(config.Instances, i => Assert.Equal("lan_gw", i.SyncGroup));
        Assert.Equal(AddressFamily.InterNetworkV6, config.Instances[1].Vrrp.Family);
    }

    [Fact]
    public void TheShippedExamplePassesTheSubnetCheckOnAMatchingRouter()
    {
        LoadOk(ExampleText(), Devices(("br-lan", ["192.168.1.1/24", "fd00:1::1/64", "fe80::1/64"])));
    }
}
