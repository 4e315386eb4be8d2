using System.Text.Json;

namespace Router.LabKit;

/// <summary>
/// One router namespace running routerha and the real dnsmasq (its --dhcp-script is routerha, lease file
/// read-only), bridged to two client namespaces where busybox udhcpc asks for leases.
/// </summary>
public sealed class DhcpLab : IDisposable
{
    public const string RouterAddress = "192.168.88.1";
    private readonly List<IDisposable> _owned = [];
    private readonly string _bin;

    public Netns Router { get; }
    public Netns[] Clients { get; }
    public string Dir { get; }
    public string ConfigPath => Path.Combine(Dir, "routerha.conf");
    public string DbPath => Path.Combine(Dir, "leases.db");
    public LabProcess? Daemon { get; private set; }
    public LabProcess? Dnsmasq { get; private set; }

    private DhcpLab(string bin, Netns router, Netns[] clients, string dir)
    {
        _bin = bin;
        Router = router;
        Clients = clients;
        Dir = dir;
    }

    public static DhcpLab Create()
    {
        var bin = RouterHaBinary.Require();
        var n = LabRun.NextTopologyNumber();
        var dir = Directory.CreateTempSubdirectory("routerha-dhcp-").FullName;
        var router = Netns.Create($"{LabRun.Prefix}{n}r");
        var lab = new DhcpLab(bin, router, [Netns.Create($"{LabRun.Prefix}{n}c"), Netns.Create($"{LabRun.Prefix}{n}d")], dir);
        router.Ip("link", "add", "br0", "type", "bridge");
        for (var i = 0; i < lab.Clients.Length; i++)
        {
            router.Ip("link", "add", $"c{i}", "type", "veth", "peer", "name", "eth0", "netns", lab.Clients[i].Name);
            router.Ip("link", "set", $"c{i}", "master", "br0", "up");
            lab.Clients[i].Ip("link", "set", "eth0", "address", $"02:00:00:00:88:{i + 10:x2}", "up");
        }
        router.Ip("addr", "add", $"{RouterAddress}/24", "dev", "br0");
        router.Ip("link", "set", "br0", "up");
        lab.WriteFiles();
        return lab;
    }

    public string ClientMac(int i) => $"02:00:00:00:88:{i + 10:x2}";

    private void WriteFiles()
    {
        File.WriteAllText(ConfigPath, $"""
            config global
            	option node_name 'lab-router'
            	option control_socket '{Dir}/routerha.sock'
            	option syslog '0'
            	option log_level 'debug'

            config instance 'lan'
            	option interface 'br0'
            	option vrid '51'
            	option priority '150'
            	list vip '192.168.88.254/24'

            config leases
            	option db_path '{DbPath}'

            """);
        // dnsmasq passes no options to its script: this wrapper adds the config path.
        WriteScript("dhcp-script", $"#!/bin/sh\nexec {_bin} dhcp-script -c {ConfigPath} \"$@\"\n");
        for (var i = 0; i < Clients.Length; i++)
            WriteScript($"udhcpc-script-{i}", $"""
                #!/bin/sh
                case "$1" in
                  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"; echo "$1 $ip" >> "{Dir}/events-{i}";;
                  deconfig) ip addr flush dev "$interface";;
                esac
                exit 0

                """);
    }

    private void WriteScript(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Script(string name) => Path.Combine(Dir, name);

    public LabProcess StartDaemon()
    {
        Daemon = Own(LabProcess.Start(Router, _bin, ["run", "-c", ConfigPath]));
        return Daemon;
    }

    /// <summary>
    /// --no-ping: without it dnsmasq would refuse an address a client still answers pings on, which would
    /// hide whether it really knows the lease (the lab wants to see the lease database at work).
    /// </summary>
    public LabProcess StartDnsmasq()
    {
        Dnsmasq = Own(LabProcess.Start(Router, "dnsmasq", [
            "--no-daemon", "--conf-file=/dev/null", "--port=0", "--interface=br0", "--bind-interfaces",
            "--dhcp-range=192.168.88.100,192.168.88.150,255.255.255.0,120s", "--dhcp-authoritative", "--no-ping",
            "--leasefile-ro", $"--dhcp-script={Script("dhcp-script")}", $"--pid-file={Dir}/dnsmasq.pid",
            "--log-dhcp", "--log-facility=-"]));
        return Dnsmasq;
    }

    /// <summary>The spool the daemon reads OpenWrt's hotplug events from (beside its control socket).</summary>
    public string Spool => Path.Combine(Dir, "routerha.dhcp-events");

    /// <summary>Where the hotplug handler's `routerha dhcp-script` calls are recorded, one line each.</summary>
    public string VerbCalls => Path.Combine(Dir, "verb-calls");

    /// <summary>
    /// dnsmasq as OpenWrt runs it: its own lease file (read at start, when it calls its script with "old" for every
    /// lease) and OpenWrt's dhcp-script.sh with procd's hotplug dispatch behind it, the router image's STAND-IN
    /// (omr-facts.md "dnsmasq hotplug"): every event becomes ACTION/MACADDR/IPADDR/HOSTNAME, and each file of the hotplug
    /// directory is sourced by its own `sh -c` in the background, unordered, output discarded. The directory holds the package's handler
    /// (hotplugHandler, its text) with its paths moved into the lab; its `/usr/sbin/routerha` records the call and runs
    /// the real verb.
    /// </summary>
    public LabProcess StartOpenWrtDnsmasq(string hotplugHandler, string leaseFile)
    {
        var hotplug = Path.Combine(Dir, "hotplug.d", "dhcp");
        Directory.CreateDirectory(hotplug);
        WriteScript("routerha-verb", $"#!/bin/sh\necho \"$*\" >> {VerbCalls}\nexec {_bin} dhcp-script -c {ConfigPath} \"$@\"\n");
        File.WriteAllText(Path.Combine(hotplug, "50-routerha"), hotplugHandler
            .Replace("/usr/sbin/routerha dhcp-script", Script("routerha-verb"), StringComparison.Ordinal)
            .Replace("/usr/sbin/routerha", Script("routerha-verb"), StringComparison.Ordinal)
            .Replace("/var/run/routerha.dhcp-events", Spool, StringComparison.Ordinal));
        // The router image's stand-in, its hotplug directory moved into the lab.
        var standIn = File.ReadAllText(Path.Combine(RouterHaBinary.RepoRoot, "toolchain", "image", "rootfs", "usr", "lib", "dnsmasq", "dhcp-script.sh"));
        WriteScript("openwrt-dhcp-script", standIn.Replace("/etc/hotplug.d/dhcp", hotplug, StringComparison.Ordinal));
        Dnsmasq = Own(LabProcess.Start(Router, "dnsmasq", [
            "--no-daemon", "--conf-file=/dev/null", "--port=0", "--interface=br0", "--bind-interfaces",
            "--dhcp-range=192.168.88.100,192.168.88.250,255.255.255.0,1h", "--dhcp-authoritative", "--no-ping",
            $"--dhcp-leasefile={leaseFile}", $"--dhcp-script={Script("openwrt-dhcp-script")}", $"--pid-file={Dir}/dnsmasq.pid",
            "--log-dhcp", "--log-facility=-"]));
        return Dnsmasq;
    }

    /// <summary>udhcpc in the foreground, renewing on SIGUSR1. requestIp asks for that address.</summary>
    public LabProcess StartClient(int i, string hostname, string? requestIp = null)
    {
        List<string> args = ["udhcpc", "-f", "-i", "eth0", "-s", Script($"udhcpc-script-{i}"), "-x", $"hostname:{hostname}", "-t", "30", "-T", "1", "-A", "1"];
        if (requestIp is not null) args.AddRange(["-r", requestIp]);
        return Own(LabProcess.Start(Clients[i], "busybox", args));
    }

    /// <summary>SIGUSR1: udhcpc renews its lease now.</summary>
    public static void Renew(LabProcess udhcpc) => Native.Kill(udhcpc.Pid, 10);

    /// <summary>What udhcpc reported through its script, in order ("bound IP", "renew IP").</summary>
    public IReadOnlyList<string> ClientEvents(int i)
    {
        var path = Path.Combine(Dir, $"events-{i}");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    public string? ClientAddress(int i)
    {
        var r = Clients[i].Exec("ip", "-4", "-o", "addr", "show", "dev", "eth0");
        var parts = r.StdOut.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var idx = Array.IndexOf(parts, "inet");
        return idx >= 0 && idx + 1 < parts.Length ? parts[idx + 1].Split('/')[0] : null;
    }

    public CommandResult RouterHa(params string[] args) => Router.Exec(_bin, args);

    /// <summary>`routerha leases --json` parsed: (ip, mac, state, hostname) per row.</summary>
    public IReadOnlyList<(string Ip, string Mac, string State, string? Hostname)> Leases()
    {
        var r = RouterHa("leases", "--json", "-c", ConfigPath);
        if (!r.Ok) throw new InvalidOperationException($"routerha leases failed: {r.StdErr}");
        using var doc = JsonDocument.Parse(r.StdOut);
        return doc.RootElement.EnumerateArray().Select(e => (
            e.GetProperty("ip").GetString()!, e.GetProperty("mac").GetString()!, e.GetProperty("state").GetString()!,
            e.TryGetProperty("hostname", out var h) ? h.GetString() : null)).ToList();
    }

    public string Diagnostics() =>
        $"--- routerha:\n{Daemon?.LogTail(30)}\n--- dnsmasq:\n{Dnsmasq?.LogTail(40)}\n--- leases:\n{RouterHa("leases", "-c", ConfigPath).StdOut}";

    private T Own<T>(T d) where T : IDisposable
    {
        _owned.Add(d);
        return d;
    }

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_owned)) d.Dispose();
        foreach (var c in Clients) c.Dispose();
        Router.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
