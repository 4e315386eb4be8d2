using System.Text.Json;

namespace Router.LabKit;

/// <summary>
/// Two routers, A and B, each running routerha with a role plan whose DHCP action starts and stops the real
/// dnsmasq (dhcp-script = routerha), and two client namespaces with busybox udhcpc, all on one bridged LAN.
/// The routers replicate leases over the peer channel on the LAN. A serves its leases to dnsmasq through
/// `dhcp-script init` (--leasefile-ro); B through a lease file routerha writes before the DHCP action starts.
/// <code>
///  A lan0 .2 ──┐
///  B lan0 .3 ──┤ switch(br0) ├── client 0 (udhcpc), client 1 (udhcpc)
/// </code>
/// Both routers run with preempt off unless asked, so A returning after a failure stays BACKUP and the
/// comparison of the stores is not raced by a second takeover.
/// </summary>
public sealed class LeasePairLab : IDisposable
{
    public const string Subnet = "192.168.89";
    public const string Secret = "lab-lease-secret-0123456789abcdef";
    private readonly List<Netns> _namespaces = [];
    private readonly List<IDisposable> _owned = [];
    private readonly string _bin;

    public Netns Switch { get; }
    public Netns[] Routers { get; }
    public Netns[] Clients { get; }
    public string Dir { get; }
    public LabProcess?[] Daemons { get; } = new LabProcess?[2];

    private LeasePairLab(string bin, string baseName, string dir)
    {
        _bin = bin;
        Dir = dir;
        Switch = Ns(baseName + "s");
        Routers = [Ns(baseName + "a"), Ns(baseName + "b")];
        Clients = [Ns(baseName + "c"), Ns(baseName + "d")];
    }

    private Netns Ns(string name)
    {
        var ns = Netns.Create(name);
        _namespaces.Add(ns);
        return ns;
    }

    /// <param name="secretOfB">B's peer secret; another value than A's makes B a peer with the wrong key</param>
    /// <param name="dhcpAction">false: no role action at all, only routerha and replication (the bench)</param>
    /// <param name="preemptA">A takes MASTER back when it returns (B never preempts)</param>
    /// <param name="leasesOptions">more `option` lines for both routers' `config leases` (the row limits)</param>
    public static LeasePairLab Create(string secretOfB = Secret, bool dhcpAction = true, bool preemptA = false,
        IReadOnlyDictionary<string, string>? leasesOptions = null)
    {
        var bin = RouterHaBinary.Require();
        var baseName = $"{LabRun.Prefix}{LabRun.NextTopologyNumber() % 0x1000:x3}";
        var dir = Directory.CreateTempSubdirectory("routerha-leasepair-").FullName;
        var lab = new LeasePairLab(bin, baseName, dir);
        try
        {
            lab.Wire();
            var extra = string.Concat((leasesOptions ?? new Dictionary<string, string>()).Select(o => $"\toption {o.Key} '{o.Value}'\n"));
            lab.WriteFiles(0, Secret, dhcpAction, preemptA, extra);
            lab.WriteFiles(1, secretOfB, dhcpAction, preempt: false, extra);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    private void Wire()
    {
        Switch.Ip("link", "add", "br0", "type", "bridge", "stp_state", "0");
        Switch.Ip("link", "set", "br0", "up");
        var ports = Routers.Concat(Clients).ToArray();
        for (var i = 0; i < ports.Length; i++)
        {
            Switch.Ip("link", "add", $"p{i}", "type", "veth", "peer", "name", "lan0", "netns", ports[i].Name);
            Switch.Ip("link", "set", $"p{i}", "master", "br0", "up");
        }
        for (var r = 0; r < 2; r++)
        {
            Routers[r].Ip("addr", "add", $"{RouterAddress(r)}/24", "dev", "lan0");
            Routers[r].Ip("link", "set", "lan0", "up");
        }
        for (var c = 0; c < 2; c++) Clients[c].Ip("link", "set", "lan0", "address", ClientMac(c), "up");
    }

    public static string RouterAddress(int r) => $"{Subnet}.{r + 2}";

    public static string ClientMac(int c) => $"02:00:00:00:89:{c + 10:x2}";

    public string RouterDir(int r) => Path.Combine(Dir, r == 0 ? "a" : "b");

    public string ConfigPath(int r) => Path.Combine(RouterDir(r), "routerha.conf");

    public string DbPath(int r) => Path.Combine(RouterDir(r), "leases.db");

    public string LeaseFile(int r) => Path.Combine(RouterDir(r), "dhcp.leases");

    public string DnsmasqPidFile(int r) => Path.Combine(RouterDir(r), "dnsmasq.pid");

    private void WriteFiles(int r, string secret, bool dhcpAction, bool preempt, string leasesOptions)
    {
        var d = RouterDir(r);
        Directory.CreateDirectory(d);
        var name = r == 0 ? "router-a" : "router-b";
        // A hands leases to dnsmasq through init (read-only lease file), B through a lease file written by routerha.
        var leaseSource = r == 0 ? "--leasefile-ro" : $"--dhcp-leasefile={LeaseFile(r)}";
        File.WriteAllText(ConfigPath(r), $"""
            config global
            	option node_name '{name}'
            	option control_socket '{d}/routerha.sock'
            	option syslog '0'
            	option log_level 'debug'

            config instance 'lan'
            	option interface 'lan0'
            	option vrid '52'
            	option priority '{(r == 0 ? 150 : 100)}'
            	option advert_interval '0.2'
            	option preempt '{(preempt ? 1 : 0)}'
            	list vip '{Subnet}.1/24'

            config peer 'other'
            	list path 'lan {RouterAddress(r)} {RouterAddress(1 - r)}'
            	option secret '{secret}'
            	option heartbeat_interval '0.2'

            {(dhcpAction ? DhcpAction(d) : "")}
            config leases
            	option db_path '{DbPath(r)}'
            {(r == 1 ? $"\toption lease_file '{LeaseFile(r)}'\n" : "")}{leasesOptions}
            """);
        Script(d, "dhcp-script", $"#!/bin/sh\nexec {_bin} dhcp-script -c {ConfigPath(r)} \"$@\"\n");
        // dnsmasq forks into the background; its pid file is how the stop action (and the lab) find it.
        Script(d, "dnsmasq-start", $"""
            #!/bin/sh
            [ -f {DnsmasqPidFile(r)} ] && kill -0 "$(cat {DnsmasqPidFile(r)})" 2>/dev/null && exit 0
            exec dnsmasq --conf-file=/dev/null --port=0 --interface=lan0 --bind-interfaces \
              --dhcp-range={Subnet}.100,{Subnet}.150,255.255.255.0,120s --dhcp-authoritative --no-ping \
              {leaseSource} --dhcp-script={d}/dhcp-script --pid-file={DnsmasqPidFile(r)} \
              --log-dhcp --log-facility={d}/dnsmasq.log

            """);
        Script(d, "dnsmasq-stop", $"""
            #!/bin/sh
            [ -f {DnsmasqPidFile(r)} ] || exit 0
            pid=$(cat {DnsmasqPidFile(r)})
            kill "$pid" 2>/dev/null || exit 0
            while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
            rm -f {DnsmasqPidFile(r)}

            """);
        for (var c = 0; c < 2; c++)
            Script(Dir, $"udhcpc-script-{c}", $"""
                #!/bin/sh
                case "$1" in
                  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"; echo "$1 $ip" >> "{Dir}/events-{c}";;
                  deconfig) ip addr flush dev "$interface";;
                esac
                exit 0

                """);
    }

    private static string DhcpAction(string d) =>
        $"config action 'dhcp'\n\toption kind 'command'\n\toption dhcp '1'\n\toption start '{d}/dnsmasq-start'\n\toption stop '{d}/dnsmasq-stop'\n";

    public string Script(int r, string name) => Path.Combine(RouterDir(r), name);

    private static void Script(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public LabProcess StartDaemon(int r)
    {
        var p = LabProcess.Start(Routers[r], _bin, ["run", "-c", ConfigPath(r)]);
        _owned.Add(p);
        Daemons[r] = p;
        return p;
    }

    /// <summary>Router r loses power: routerha and its dnsmasq die at once (SIGKILL), nothing is handed over.</summary>
    public void PowerOff(int r)
    {
        Daemons[r]?.Kill9();
        KillDnsmasq(r);
    }

    public int? DnsmasqPid(int r) =>
        File.Exists(DnsmasqPidFile(r)) && int.TryParse(File.ReadAllText(DnsmasqPidFile(r)).Trim(), out var pid)
        && Directory.Exists($"/proc/{pid}") ? pid : null;

    private void KillDnsmasq(int r)
    {
        if (DnsmasqPid(r) is { } pid) Native.Kill(pid, 9);
        File.Delete(DnsmasqPidFile(r));
    }

    public LabProcess StartClient(int c, string hostname, string? requestIp = null)
    {
        List<string> args = ["udhcpc", "-f", "-i", "lan0", "-s", Path.Combine(Dir, $"udhcpc-script-{c}"), "-x", $"hostname:{hostname}", "-t", "30", "-T", "1", "-A", "1"];
        if (requestIp is not null) args.AddRange(["-r", requestIp]);
        var p = LabProcess.Start(Clients[c], "busybox", args);
        _owned.Add(p);
        return p;
    }

    public IReadOnlyList<string> ClientEvents(int c)
    {
        var path = Path.Combine(Dir, $"events-{c}");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    public CommandResult RouterHa(int r, params string[] args) => Routers[r].Exec(_bin, [.. args, "-c", ConfigPath(r)]);

    /// <summary>The VRRP state of router r's instance from `routerha status --json`, or null when it does not answer.</summary>
    public string? State(int r)
    {
        var s = RouterHa(r, "status", "--json");
        if (!s.Ok) return null;
        using var doc = JsonDocument.Parse(s.StdOut);
        return doc.RootElement.GetProperty("instances")[0].GetProperty("state").GetString();
    }

    /// <summary>`routerha status --json` of router r, parsed (caller disposes), or null when it does not answer.</summary>
    public JsonDocument? Status(int r)
    {
        var s = RouterHa(r, "status", "--json");
        return s.Ok ? JsonDocument.Parse(s.StdOut) : null;
    }

    /// <summary>Active rows of `routerha leases --json`, every field, in the listing's order: what "equal stores" compares.</summary>
    public IReadOnlyList<string> ActiveLeases(int r)
    {
        var res = RouterHa(r, "leases", "--json");
        if (!res.Ok) throw new InvalidOperationException($"routerha leases on {(r == 0 ? "A" : "B")} failed: {res.StdErr}");
        using var doc = JsonDocument.Parse(res.StdOut);
        return doc.RootElement.EnumerateArray().Where(e => e.GetProperty("state").GetString() == "active")
            .Select(e => e.GetRawText().ReplaceLineEndings("").Replace(" ", "", StringComparison.Ordinal)).ToList();
    }

    public bool HasActiveLease(int r, string ip, string mac) =>
        ActiveLeases(r).Any(l => l.Contains($"\"ip\":\"{ip}\"", StringComparison.Ordinal) && l.Contains($"\"mac\":\"{mac}\"", StringComparison.Ordinal));

    public string DnsmasqLog(int r)
    {
        var path = Path.Combine(RouterDir(r), "dnsmasq.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(30)) : "(no dnsmasq log)";
    }

    public string Diagnostics()
    {
        var sb = new System.Text.StringBuilder();
        for (var r = 0; r < 2; r++)
        {
            var label = r == 0 ? "A" : "B";
            sb.Append($"--- routerha {label}:\n{Daemons[r]?.LogTail(40)}\n--- dnsmasq {label}:\n{DnsmasqLog(r)}\n");
            sb.Append($"--- leases {label}:\n{RouterHa(r, "leases").StdOut}{RouterHa(r, "leases").StdErr}\n");
        }
        return sb.ToString();
    }

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_owned)) d.Dispose();
        for (var r = 0; r < 2; r++) KillDnsmasq(r);
        foreach (var ns in Enumerable.Reverse(_namespaces)) ns.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
