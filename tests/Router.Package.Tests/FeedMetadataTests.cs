using System.Text.RegularExpressions;

namespace Router.Package.Tests;

/// <summary>What opkg resolves the package's dependencies against, in both ways of building it.</summary>
public sealed partial class FeedMetadataTests
{
    [Fact]
    public void SdkPackageDependsOnOpenWrtsLibopensslPackageName()
    {
        // The SDK names packages by their Makefile name (libopenssl) and writes the ABI-versioned ipk name itself;
        // +libopenssl3 names no package: the SDK warns and drops the dependency.
        var depends = SdkDepends().Match(Feed.Text("Makefile"));
        Assert.True(depends.Success, "no DEPENDS:= in the SDK Makefile");
        Assert.Equal(["@(x86_64||aarch64||arm_v7)", "+libsqlite3", "+libopenssl"], depends.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void IpkBuiltWithoutTheSdkDependsOnTheIpkNamesOpkgKnows()
    {
        var control = Feed.Text("ipk/control.in").Split('\n');
        Assert.Equal("Depends: libc, libsqlite3, libopenssl3", control.Single(l => l.StartsWith("Depends:", StringComparison.Ordinal)));
    }

    [GeneratedRegex(@"^\s*DEPENDS:=(.*)$", RegexOptions.Multiline)]
    private static partial Regex SdkDepends();
}
