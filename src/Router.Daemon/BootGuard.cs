using Router.Core.Config;
using Router.Integrations.Actions;

namespace Router.Daemon;

/// <summary>
/// `routerha boot-guard`, run by /etc/init.d/routerha-boot before dnsmasq and netifd (START 15 &lt; 19, 20): persists
/// `network.X.auto=0` for every fenced openwrt_wan interface and `dhcp.S.ignore=1` for every openwrt_dnsmasq section,
/// so a rebooting former MASTER neither raises its WAN nor serves DHCP before the election (netifd and dnsmasq start
/// long before routerha). The MASTER plan turns both back on. A config that does not load changes nothing: the daemon
/// would not start either, and nothing would ever raise the WAN again.
/// </summary>
public static class BootGuard
{
    public static int Run(string? configPath, CommandRunner runner)
    {
        var path = ConfigFile.ResolvePath(configPath);
        var errors = new List<ConfigError>();
        var config = ConfigFile.Load(path, null, errors);
        if (config is null)
        {
            foreach (var e in errors) Console.Error.WriteLine(e);
            Console.Error.WriteLine($"routerha boot-guard: {path} does not load: WAN interfaces left as they are");
            return 1;
        }
        if (!config.Global.Enabled)
        {
            Console.WriteLine($"routerha boot-guard: disabled in {path} (option enabled '0'): nothing to do");
            return 0;
        }
        var interfaces = BootGuardSwitches.Interfaces(config.Actions);
        var sections = BootGuardSwitches.DhcpSections(config.Actions);
        if (interfaces.Count == 0 && sections.Count == 0)
        {
            Console.WriteLine("routerha boot-guard: no fenced openwrt_wan and no openwrt_dnsmasq action: nothing to do");
            return 0;
        }
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var changed = BootGuardSwitches.ApplyAsync(interfaces, sections, new OpenWrtSystem(runner, "/etc/init.d"), cts.Token).GetAwaiter().GetResult();
            var what = string.Join("; ", new[]
            {
                interfaces.Count > 0 ? $"network auto=0 on {string.Join(", ", interfaces)}" : null,
                sections.Count > 0 ? $"dhcp ignore=1 on {string.Join(", ", sections)}" : null,
            }.OfType<string>());
            Console.WriteLine($"routerha boot-guard: {what} " +
                              (changed ? "(committed): on only once this router is elected MASTER" : "(already)"));
            return 0;
        }
        catch (Exception e) when (e is ActionFailedException or OperationCanceledException)
        {
            Console.Error.WriteLine($"routerha boot-guard: {e.Message}");
            return 1;
        }
    }
}
