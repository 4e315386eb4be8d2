using System.Globalization;
using System.Text.RegularExpressions;

namespace Router.LabKit.Vm;

/// <summary>
/// The router image's OMR stand-in world (toolchain/image/README.md, "The OMR stand-in world"): routers that boot as
/// OpenWrt does (every enabled init script in START order: network raising the `auto` interfaces at 20, the real
/// dnsmasq behind an init script with dhcp_check, the VPS clients while enabled in UCI, omr-schedule's cron rounds,
/// routerha at 60 and its early boot hook), and a LAN client that asks for its address by DHCP.
/// What happened is read from the router's /var/log/routerha.log (routerha's lines and the stand-ins' `network:`,
/// `dnsmasq:`, `tunnel:`, `proxy:`, `omr-schedule:`, `vps-api:` lines, in order) and from a <see cref="SegmentObserver"/>.
/// </summary>
public static partial class OmrWorld
{
    public static string LanMac(int index) => $"52:54:00:00:01:{index:x2}";

    /// <summary>
    /// A router of the world. <paramref name="routerha"/>: its /etc/config/routerha, or null to keep routerha disabled
    /// (the world alone). <paramref name="cronPeriod"/>: omr-schedule's period (OMR: 60 s). <paramref name="files"/>
    /// replace more of its files (e.g. /etc/config/dhcp), as if they had been committed before this boot.
    /// </summary>
    public static VmSpec Router(VmArch arch, string name, int index, int lanPort, int wanPort, string? routerha, TimeSpan cronPeriod,
        IReadOnlyDictionary<string, string>? files = null)
    {
        var wanMac = $"52:54:00:00:02:{index:x2}";
        var all = new Dictionary<string, string>
        {
            ["/etc/vm.conf"] = $"""
                VM_NAME={name}
                VM_LAN_MAC={LanMac(index)}
                VM_LAN_ADDR={RouterVm.LanAddress(index)}/24
                VM_WAN_MAC={wanMac}
                VM_WAN_ADDR=192.0.2.{index}/24
                VM_START="wanwatch boot"
                VM_DISABLE="{(routerha is null ? "routerha" : "")}"
                VM_OMR_PERIOD={cronPeriod.TotalSeconds.ToString(CultureInfo.InvariantCulture)}

                """,
        };
        if (routerha is not null) all["/etc/config/routerha"] = routerha;
        foreach (var (path, text) in files ?? new Dictionary<string, string>()) all[path] = text;
        return new VmSpec(name, arch, [new VmNic(LanMac(index), lanPort), new VmNic(wanMac, wanPort)], all);
    }

    /// <summary>
    /// routerha's file for an OMR pair on the agreed action surface (issue 13): WAN (runtime + persisted `auto`), the
    /// tunnel, proxy and VPS API client named by OMR's own UCI, DHCP by `ignore`/`force` on a dnsmasq that keeps running,
    /// the peer channel and lease replication into dnsmasq's lease file.
    /// </summary>
    public static string PairConfig(string name, int index, int priority, bool preempt, int preemptDelay, string secret) => $"""
        config global 'main'
        	option enabled '1'
        	option node_name '{name}'
        	option control_socket '/var/run/routerha.sock'
        	option syslog '0'

        config instance 'lan'
        	option interface 'lan'
        	option vrid '51'
        	option priority '{priority}'
        	option advert_interval '{RouterVm.Advert.TotalSeconds.ToString(CultureInfo.InvariantCulture)}'
        	option preempt '{(preempt ? 1 : 0)}'
        	option preempt_delay '{preemptDelay}'
        	list vip '{RouterVm.Vip}/24'

        config action 'wan'
        	option kind 'openwrt_wan'
        	list interface 'wan'

        config action 'vpn'
        	option kind 'omr_vpn'

        config action 'proxy'
        	option kind 'omr_proxy'

        config action 'vps'
        	option kind 'omr_vps_api'

        config action 'dhcp'
        	option kind 'openwrt_dnsmasq'

        config peer 'other'
        	list path 'lan {RouterVm.LanAddress(index)} {RouterVm.LanAddress(3 - index)}'
        	option secret '{secret}'
        	option fence_window '5'

        config leases
        	option db_path '/tmp/routerha/leases.db'
        	option lease_file '/tmp/dhcp.leases'

        """;

    /// <summary>A LAN client without an address: it gets one by DHCP (busybox udhcpc), on demand.</summary>
    public static VmSpec DhcpClient(VmArch arch, int lanPort) => RouterVm.Client(arch, lanPort, lanAddress: null);

    public const string ClientMac = RouterVm.ClientMac;

    /// <summary>
    /// One DHCP exchange of the client (discover/request, busybox udhcpc, address not configured): the address it
    /// was given and the server that gave it, or null when no server answered within a few seconds.
    /// <paramref name="requested"/>: ask for this address (as a client renewing after a reboot does).
    /// </summary>
    public static async Task<(string Address, string Server)?> LeaseAsync(VmMachine client, string? requested = null)
    {
        var (code, output) = await client.Console.RunAsync(
            $"udhcpc -i lan -n -q -f -s /bin/true -t 3 -T 3 -A 1{(requested is null ? "" : $" -r {requested}")} 2>&1", TimeSpan.FromSeconds(30));
        var m = LeaseRegex().Match(output);
        return code == 0 && m.Success ? (m.Groups[1].Value, m.Groups[2].Value) : null;
    }

    /// <summary>How many times the router's kernel killed a process for want of memory (its log, `dmesg`).</summary>
    public static async Task<int> OomKillsAsync(VmMachine vm) =>
        int.Parse((await vm.Console.CheckAsync("dmesg | grep -c 'Out of memory' || true")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"lease of (\S+) obtained from (\S+),")]
    private static partial Regex LeaseRegex();

    /// <summary>Polls the router's log until at least this many complete omr-schedule rounds are logged.</summary>
    public static Task<RouterLog> WaitCronRoundsAsync(VmMachine vm, int rounds, TimeSpan timeout) =>
        RouterVm.WaitLogAsync(vm, l => CronRoundsDone(l) >= rounds, timeout, $"{rounds} omr-schedule rounds");

    public static int CronRoundsDone(RouterLog log) => log.Lines.Count(l => CronDoneRegex().IsMatch(l));

    [GeneratedRegex(@"^omr-schedule: round \d+ done")]
    private static partial Regex CronDoneRegex();

    /// <summary>Runs a command on the router and says whether it exited 0 (e.g. `/etc/init.d/dnsmasq running`).</summary>
    public static async Task<bool> SucceedsAsync(VmMachine vm, string command) => (await vm.Console.RunAsync(command, TimeSpan.FromSeconds(30))).Code == 0;

    /// <summary>`uci -q get PATH` on the router, or null when the entry does not exist.</summary>
    public static async Task<string?> UciGetAsync(VmMachine vm, string path)
    {
        var (code, output) = await vm.Console.RunAsync($"uci -q get {path}", TimeSpan.FromSeconds(30));
        return code == 0 ? output.Trim() : null;
    }
}
