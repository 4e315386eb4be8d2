using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// The package's scripts as they are in openwrt-feed/net/routerha (what `make ipk` packs, IpkContentsTests checks
/// the packing): the script tests need no ipk build.
/// </summary>
internal static class Feed
{
    public static string Dir => Path.Combine(RouterHaBinary.RepoRoot, "openwrt-feed", "net", "routerha");

    public static string PathOf(string relative) => Path.Combine(Dir, relative);

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));
}
