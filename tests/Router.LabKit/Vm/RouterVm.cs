using System.Globalization;
using System.Text.RegularExpressions;

namespace Router.LabKit.Vm;

/// <summary>
/// The pair's machines: routers (lan + wan NIC, routerha started by /init through /etc/init.d/routerha, the
/// WAN brought up only by routerha's `link` action on MASTER, watched by wanwatch) and a LAN client.
/// </summary>
public static partial class RouterVm
{
    public const string Vip = "10.0.0.254";
    public static readonly TimeSpan Advert = TimeSpan.FromSeconds(1);

    public static string LanAddress(int index) => $"10.0.0.{index}";

    /// <summary>RFC 9568 master-down interval of a backup of this priority: 3 adverts plus the skew time.</summary>
    public static TimeSpan MasterDown(int priority) => 3 * Advert + SkewTime(priority);

    public static TimeSpan SkewTime(int priority) => (256 - priority) * Advert / 256;

    /// <summary>
    /// A router of the pair. <paramref name="extraConfig"/> is appended to its /etc/config/routerha (more sections);
    /// <paramref name="files"/> are more files of its own (certificates...); <paramref name="mgmt"/> adds the
    /// management NIC (10.0.2.15) reaching one host service; without <paramref name="startAtBoot"/> routerha is
    /// installed but not started.
    /// </summary>
    public static VmSpec Router(VmArch arch, string name, int index, int lanPort, int wanPort, int priority, bool preempt, int preemptDelay,
        string extraConfig = "", IReadOnlyDictionary<string, string>? files = null, VmHostService? mgmt = null, bool startAtBoot = true)
    {
        var lanMac = $"52:54:00:00:01:{index:x2}";
        var wanMac = $"52:54:00:00:02:{index:x2}";
        var all = new Dictionary<string, string>
        {
            ["/etc/vm.conf"] = $"""
                VM_NAME={name}
                VM_LAN_MAC={lanMac}
                VM_LAN_ADDR={LanAddress(index)}/24
                VM_WAN_MAC={wanMac}
                VM_WAN_ADDR=192.0.2.{index}/24
                VM_MGMT_MAC={(mgmt is null ? "" : MgmtMac(index))}
                VM_MGMT_ADDR={(mgmt is null ? "" : "10.0.2.15/24")}
                VM_START="wanwatch{(startAtBoot ? " routerha" : "")}"

                """,
            // Logs to stderr: the image's procd stand-in writes it to /var/log/routerha.log (there is no logd).
            ["/etc/config/routerha"] = $"""
                config global 'main'
                	option enabled '1'
                	option node_name '{name}'
                	option control_socket '/var/run/routerha.sock'
                	option syslog '0'

                config instance 'lan'
                	option interface 'lan'
                	option vrid '51'
                	option priority '{priority}'
                	option advert_interval '{Advert.TotalSeconds.ToString(CultureInfo.InvariantCulture)}'
                	option preempt '{(preempt ? 1 : 0)}'
                	option preempt_delay '{preemptDelay}'
                	list vip '{Vip}/24'

                config action 'wan'
                	option kind 'link'
                	list interface 'wan'

                """ + extraConfig,
        };
        foreach (var (path, text) in files ?? new Dictionary<string, string>()) all[path] = text;
        List<VmNic> nics = [new VmNic(lanMac, lanPort), new VmNic(wanMac, wanPort)];
        if (mgmt is not null) nics.Add(new VmNic(MgmtMac(index), 0, mgmt));
        return new VmSpec(name, arch, nics, all);
    }

    private static string MgmtMac(int index) => $"52:54:00:00:03:{index:x2}";

    /// <summary>The `config peer` and `config leases` sections of router `index` (1 or 2) of a pair that replicates leases.</summary>
    public static string PeerAndLeases(int index, string secret) => $"""

        config peer 'other'
        	list path 'lan {LanAddress(index)} {LanAddress(3 - index)}'
        	option secret '{secret}'
        	option fence_window '5'

        config leases
        	option db_path '/tmp/routerha/leases.db'

        """;

    public const string ClientMac = "52:54:00:00:01:64";

    /// <summary>A LAN client; <paramref name="lanAddress"/> null: none, it asks for one by DHCP.</summary>
    public static VmSpec Client(VmArch arch, int lanPort, string? lanAddress = "10.0.0.100/24") =>
        new("client", arch, [new VmNic(ClientMac, lanPort)], new Dictionary<string, string>
        {
            ["/etc/vm.conf"] = $"""
                VM_NAME=client
                VM_LAN_MAC={ClientMac}
                VM_LAN_ADDR={lanAddress}
                VM_START=

                """,
        });

    /// <summary>/var/log/routerha.log of a router VM: routerha's lines and wanwatch's, in the order they were written.</summary>
    public static async Task<RouterLog> LogAsync(VmMachine vm) =>
        new((await vm.Console.CheckAsync("cat /var/log/routerha.log")).Split('\n', StringSplitOptions.RemoveEmptyEntries));

    // Every sample is a command on an emulated machine's serial console: polled far less often than Wait's default.
    private static readonly TimeSpan ConsolePoll = TimeSpan.FromMilliseconds(200);

    /// <summary>Polls the log until the condition holds (bounded).</summary>
    public static Task<RouterLog> WaitLogAsync(VmMachine vm, Func<RouterLog, bool> condition, TimeSpan timeout, string what) =>
        Wait.ForAsync(() => LogAsync(vm), condition, timeout, $"{what} in {vm.Name}'s log", log => string.Join('\n', log.Lines), ConsolePoll);

    /// <summary>Polls an asynchronous check (a console command) until it holds (bounded).</summary>
    public static Task PollAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Wait.ForAsync(condition, done => done, timeout, what, interval: ConsolePoll);

    public static Task<RouterLog> WaitStateAsync(VmMachine vm, string state, TimeSpan timeout) =>
        WaitLogAsync(vm, l => l.State == state, timeout, $"state {state}");

    /// <summary>Waits until the router's status names this address as the VRRP master it hears.</summary>
    public static Task WaitHearsMasterAsync(VmMachine vm, string master, TimeSpan timeout) =>
        PollAsync(async () => Regex.IsMatch(await vm.Console.CheckAsync("routerha status --json"), $"\"master\":\\s*\"{Regex.Escape(master)}\""),
            timeout, $"{vm.Name} to hear {master} as the master");

    /// <summary>For the whole window: no transition to MASTER and no WAN up in the log from line `from` on.</summary>
    public static Task AssertStaysBackupAsync(VmMachine vm, int from, TimeSpan window) =>
        Wait.HoldsAsync(() => LogAsync(vm),
            log => !log.Transitions.Any(t => t.Line >= from && t.To == "MASTER") && !log.Wan.Any(w => w.Line >= from && w.State == "up"),
            window, $"{vm.Name} staying BACKUP with its WAN down (from log line {from})", log => string.Join('\n', log.Lines),
            TimeSpan.FromMilliseconds(500));

    /// <summary>Starts `ping -i INTERVAL` to the VIP in the background on the client.</summary>
    public static Task StartPingAsync(VmMachine client, TimeSpan interval) =>
        client.Console.CheckAsync($"ping -i {interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} {Vip} > /tmp/ping.log 2>&1 & echo $! > /tmp/ping.pid");

    public static async Task<PingTrace> PingTraceAsync(VmMachine client, TimeSpan interval) =>
        new(await client.Console.CheckAsync("cat /tmp/ping.log"), interval);

    public static async Task<PingTrace> StopPingAsync(VmMachine client, TimeSpan interval)
    {
        await client.Console.CheckAsync("kill -INT $(cat /tmp/ping.pid)");
        return await PingTraceAsync(client, interval);
    }
}

/// <summary>A router VM's log: routerha's `lan: FROM -> TO (reason)` transitions and wanwatch's `wan up|down`, by line.</summary>
public sealed partial class RouterLog(IReadOnlyList<string> lines)
{
    public IReadOnlyList<string> Lines { get; } = lines;

    public sealed record Transition(int Line, TimeSpan At, string From, string To, string Reason);

    public IReadOnlyList<Transition> Transitions =>
        Lines.Select((l, i) => (m: TransitionRegex().Match(l), i)).Where(x => x.m.Success)
            .Select(x => new Transition(x.i, TimeSpan.ParseExact(x.m.Groups[1].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture),
                x.m.Groups[2].Value, x.m.Groups[3].Value, x.m.Groups[4].Value))
            .ToList();

    public string? State => Transitions.LastOrDefault()?.To;

    /// <summary>wanwatch's observations: (line, "up"/"down").</summary>
    public IReadOnlyList<(int Line, string State)> Wan =>
        Lines.Select((l, i) => (m: WanRegex().Match(l), i)).Where(x => x.m.Success).Select(x => (x.i, x.m.Groups[1].Value)).ToList();

    /// <summary>Index of the first line containing the text at or after a line, or -1.</summary>
    public int IndexOf(string text, int from = 0)
    {
        for (var i = from; i < Lines.Count; i++)
            if (Lines[i].Contains(text, StringComparison.Ordinal)) return i;
        return -1;
    }

    public override string ToString() => string.Join('\n', Lines);

    [GeneratedRegex(@"^(\d\d:\d\d:\d\d\.\d\d\d) info: lan: (\w+) -> (\w+) \((.*)\)$")]
    private static partial Regex TransitionRegex();

    [GeneratedRegex(@"^wanwatch: wan (up|down)")]
    private static partial Regex WanRegex();
}
