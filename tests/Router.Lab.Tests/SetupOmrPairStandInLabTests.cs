using System.Diagnostics;
using System.Text.Json;
using Router.Core.Config;
using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// Issue 13: "`routerha setup omr` ... writes a complete /etc/config/routerha for router A or B with a generated peer
/// secret ... The two routers' files must pair out of the box." Two OMR boxes in network namespaces, each with its own
/// UCI tree, are set up exactly as docs/setup-omr.md tells a user (router a generates the key, the key is copied to b,
/// b runs the command a printed), and two real daemons run the files setup wrote. OpenWrt and OMR are STAND-INS here
/// (<see cref="OmrBox"/>): uci, ubus (netifd) and the init scripts of the tunnel, the proxy and dnsmasq, small shell
/// scripts that keep their state in files and behave as omr-facts.md describes the real ones; the "VPS" is a log both
/// routers' tunnel and proxy clients write to, so "never two clients" is judged from outside the daemons.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class SetupOmrPairStandInLabTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoStandInOmrRoutersConfiguredBySetupOmr_PairOutOfTheBox_OneMasterWithTheTunnelTheOtherBackupWithout_ThenBTakesOverWhenAStops()
    {
        using var cts = LabAssert.Budget(150);
        var clock = Stopwatch.StartNew();
        using var t = LabTopology.Create();
        var p = SetUpAsTheDocsSay(t);
        var (a, b) = (p.A, p.B);
        var timing = new List<string> { $"setup of both routers done at {clock.Elapsed.TotalSeconds:0.0} s" };
        await StartAsync(p, cts.Token);
        timing.Add($"pair settled at {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal("MASTER", a.State);
        Assert.Equal("BACKUP", b.State);
        PeerChannelUp(a, "router-b", p.Diag);
        PeerChannelUp(b, "router-a", p.Diag);
        Assert.Equal("peer confirmed its tunnel is released", Status(a).GetProperty("fence").GetProperty("reason").GetString());
        InMasterState(p.BoxA, p.Diag);
        InBackupState(p.BoxB, p.Diag);
        Assert.True(a.Instance().VipsPresent && !b.Instance().VipsPresent, $"the VIP must be on A only\n{p.Diag()}");

        // B refuses a hand-over while it still listens after its own start (startup_delay; VrrpInstance.OnPeerYielded):
        // A stopped inside that window is the case of the skipped test below. A user stops A later than that: so does
        // this test.
        await Wait.UntilAsync(() => Status(b).GetProperty("uptime_s").GetDouble() > StartupDelaySeconds + 1, TimeSpan.FromSeconds(15),
            "B past its startup listening (startup_delay and an advert)", p.Diag, cts.Token);

        // A stops (as `/etc/init.d/routerha stop` would: SIGTERM): it releases and says so, B takes over at once.
        var stopped = Stopwatch.StartNew();
        Assert.Equal(0, await a.TerminateAsync(TimeSpan.FromSeconds(30)));
        await b.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(10), cts.Token);
        await Wait.UntilAsync(() => RoleDone(b, "MASTER"), TimeSpan.FromSeconds(30), "B's MASTER plan to finish", p.Diag, cts.Token);
        var takeover = stopped.Elapsed;
        timing.Add($"B took over {takeover.TotalSeconds:0.0} s after A's SIGTERM (fence window 115 s)");

        // The fence let B's tunnel start because A said it had released it, not because A went silent for the window.
        Assert.Equal("peer confirmed its tunnel is released", Status(b).GetProperty("fence").GetProperty("reason").GetString());
        Assert.True(takeover < TimeSpan.FromSeconds(30), $"takeover took {takeover.TotalSeconds:0.0} s\n{p.Diag()}");
        InMasterState(p.BoxB, p.Diag);
        InBackupState(p.BoxA, p.Diag);
        Assert.True(b.Instance().VipsPresent, $"the VIP must be on B now\n{p.Diag()}");
        VpsSawOneClientAtATime(p);

        timing.Add($"done at {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(string.Join('\n', timing));
        output.WriteLine("--- vps.log\n" + File.ReadAllText(p.VpsLog));
    }

    /// <summary>
    /// Both routers restarted one after the other: B refuses the hand-over while it listens after its start
    /// (VrrpInstance.OnPeerYielded) and becomes MASTER by master-down ~8 s later, when A has already exited. A's
    /// Released came before B was MASTER, so without more B's fence would wait for an acknowledgement that cannot come
    /// (measured before the fix: WAN, tunnel, proxy and DHCP up 118.8 s after A's SIGTERM, the fence_window). A's
    /// goodbye after Released says its tunnel stays down: B's gate opens at once.
    /// </summary>
    [Fact]
    public async Task TwoStandInOmrRoutersConfiguredBySetupOmr_AStoppedWhileBStillListensAfterItsStart_BTakesOverWithoutWaitingOutTheFenceWindow()
    {
        using var cts = LabAssert.Budget(90);
        using var t = LabTopology.Create();
        var p = SetUpAsTheDocsSay(t);
        await StartAsync(p, cts.Token);
        // Both routers restarted one after the other (docs/setup-omr.md step 4 on both): A stops within B's first seconds.
        Assert.True(Status(p.B).GetProperty("uptime_s").GetDouble() < StartupDelaySeconds, $"B already past its startup listening\n{p.Diag()}");
        var stopped = Stopwatch.StartNew();
        Assert.Equal(0, await p.A.TerminateAsync(TimeSpan.FromSeconds(30)));
        await p.B.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(15), cts.Token);
        await Wait.UntilAsync(() => RoleDone(p.B, "MASTER"), TimeSpan.FromSeconds(20),
            "B's MASTER plan to finish well inside the fence window (A said it stopped, its tunnel released)", p.Diag, cts.Token);
        output.WriteLine($"B took over {stopped.Elapsed.TotalSeconds:0.0} s after A's SIGTERM");
        InMasterState(p.BoxB, p.Diag);
        InBackupState(p.BoxA, p.Diag);
        VpsSawOneClientAtATime(p);
    }

    private const int StartupDelaySeconds = 5;

    /// <summary>The two boxes and their daemons (not started yet) after docs/setup-omr.md's steps.</summary>
    private sealed record Pair(OmrBox BoxA, OmrBox BoxB, RouterHaNode A, RouterHaNode B, string VpsLog)
    {
        public string Diag() => $"{A.Diagnostics()}\n{BoxA.Diagnostics()}\n{B.Diagnostics()}\n{BoxB.Diagnostics()}\n--- vps.log\n{File.ReadAllText(VpsLog)}";
    }

    private static Pair SetUpAsTheDocsSay(LabTopology t)
    {
        var vps = Path.Combine(t.WorkDir, "vps.log");
        var boxA = new OmrBox(t.WorkDir, 'a', LabTopology.AddressA.ToString(), vps);
        var boxB = new OmrBox(t.WorkDir, 'b', LabTopology.AddressB.ToString(), vps);
        // Two OMR boxes as they are before routerha: each booted, its WAN up, its tunnel and proxy connected to the VPS
        // (two clients: the outage routerha is there to prevent), dnsmasq serving on a (b's dhcp_check saw a answer).
        boxA.Boot();
        boxB.Boot();
        Assert.True(boxA.Running("glorytun") && boxB.Running("glorytun") && boxA.WanUp && boxB.WanUp && boxA.ServesDhcp && !boxB.ServesDhcp,
            $"the stand-in OMR boxes did not boot as OMR does\n{boxA.Diagnostics()}\n{boxB.Diagnostics()}");

        // docs/setup-omr.md, step by step. Router a: generates the key, writes its file and prints what to do next.
        var bin = RouterHaBinary.Require();
        var setupA = Shell.Run(bin, ["setup", "omr", "--router", "a", "--vip", LabTopology.Vip4Cidr, "--peer", boxB.LanAddress, "--root", boxA.Root],
            TimeSpan.FromSeconds(20));
        Assert.True(setupA.ExitCode == 0, $"setup omr --router a: exit {setupA.ExitCode}\n{setupA.StdErr}\n{setupA.StdOut}");
        // 1. "copy the key to router b (run here): scp /etc/routerha/peer.key root@B:/tmp/peer.key": what that scp does.
        var scp = NextStep(setupA.StdOut, "copy the key to router b (run here): ");
        Assert.Equal($"scp /etc/routerha/peer.key root@{boxB.LanAddress}:/tmp/peer.key", scp);
        boxB.ReceiveFile(boxA.OnRoot("/etc/routerha/peer.key"), "/tmp/peer.key");
        // 2. "on router b: routerha setup omr --router b ...": the command as printed, run on b's tree.
        var printed = NextStep(setupA.StdOut, "on router b: ").Split(' ');
        Assert.Equal(["routerha", "setup", "omr", "--router", "b"], printed[..5]);
        var argsB = printed[1..].Select(arg => arg == "/tmp/peer.key" ? boxB.OnRoot(arg) : arg).Concat(["--root", boxB.Root]).ToArray();
        var setupB = Shell.Run(bin, argsB, TimeSpan.FromSeconds(20));
        Assert.True(setupB.ExitCode == 0, $"setup omr --router b: exit {setupB.ExitCode}\n{setupB.StdErr}\n{setupB.StdOut}");
        Assert.Contains("install secret /etc/routerha/peer.key from", setupB.StdOut);
        // 3. (dhcp_option 3 and 6 for the clients) changes what DHCP hands out, which no stand-in here serves: left out.
        // 4. "/etc/init.d/routerha enable && /etc/init.d/routerha restart" on both routers: the daemons (StartAsync).
        Assert.Equal(File.ReadAllText(boxA.OnRoot("/etc/routerha/peer.key")), File.ReadAllText(boxB.OnRoot("/etc/routerha/peer.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(boxB.OnRoot("/etc/routerha/peer.key")));
        return new Pair(boxA, boxB, Daemon(t, boxA, "A", 150), Daemon(t, boxB, "B", 100), vps);
    }

    /// <summary>A first, then B: A, MASTER, holds its fenced actions while B is silent (B's tunnel still runs); once B
    /// has released and said so, A's plan finishes, and B's BACKUP plan.</summary>
    private static async Task StartAsync(Pair p, CancellationToken ct)
    {
        File.AppendAllText(p.VpsLog, "-- routerha starts\n");
        p.A.Start();
        await p.A.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(20), ct);
        var early = Status(p.A);
        Assert.True(!p.BoxA.Running("glorytun") && !p.BoxA.WanUp && early.GetProperty("fence").GetProperty("gate").GetString() == "Wait",
            $"A started its WAN or tunnel while B was silent and B's tunnel ran\n{early}\n{p.Diag()}");

        p.B.Start();
        await p.B.WaitForStateAsync("BACKUP", TimeSpan.FromSeconds(20), ct);
        await Wait.UntilAsync(() => RoleDone(p.A, "MASTER") && RoleDone(p.B, "BACKUP"), TimeSpan.FromSeconds(30),
            "A's MASTER plan and B's BACKUP plan to finish", p.Diag, ct);
    }

    /// <summary>The VPS never saw two clients of a service once routerha ran, and b's tunnel came up only after a's went down.</summary>
    private static void VpsSawOneClientAtATime(Pair p)
    {
        var events = VpsEvents(p.VpsLog);
        foreach (var service in (string[])["glorytun", "shadowsocks-libev"])
            NeverTwoClients(events, service, p.Diag);
        var lastDownA = events.FindLastIndex(e => e is ('a', "glorytun", false));
        var lastUpB = events.FindLastIndex(e => e is ('b', "glorytun", true));
        Assert.True(lastDownA >= 0 && lastUpB > lastDownA, $"B's tunnel must start after A's stopped\n{p.Diag()}");
    }

    /// <summary>
    /// routerha on one box with the file setup wrote, changed only where a namespace lab must differ from a router:
    /// both "routers" share one host file system, on which setup's absolute paths (/var/run, /etc/routerha, /tmp) would
    /// be the host's and the same for both. setup honours --root; the daemon has no such option, so the file is pointed
    /// into the box's root. /etc/init.d, which the daemon's OpenWrt actions use as is, is bind-mounted from the box in
    /// the daemon's own mount namespace (`ip netns exec` gives each daemon one, private to it): the host's init scripts
    /// (a real dnsmasq, openvpn) are never run.
    /// </summary>
    private static RouterHaNode Daemon(LabTopology t, OmrBox box, string label, int priority)
    {
        var node = new RouterHaNode(t, label, VrrpSettings.For(priority, TimeSpan.FromSeconds(1)) with { NodeName = $"router-{box.Which}" });
        var text = File.ReadAllText(box.OnRoot("/etc/config/routerha"));
        Assert.Contains($"# Written by `routerha setup omr --router {box.Which}`", text);
        Assert.Contains($"\toption startup_delay '{StartupDelaySeconds}'\n", text);
        // The lab reads status from its own socket path; the host's /var/run is shared by both routers.
        text = Edit(text, "\toption control_socket '/var/run/routerha.sock'\n", $"\toption control_socket '{node.ControlSocket}'\n");
        // Log lines to stderr, which the lab keeps per daemon, not into the host's syslog; and never the host's D-Bus.
        text = Edit(text, "\toption syslog '1'\n", "\toption syslog '0'\n\toption dbus '0'\n");
        // The key setup installed under --root.
        text = Edit(text, "\toption secret_file '/etc/routerha/peer.key'\n", $"\toption secret_file '{box.OnRoot("/etc/routerha/peer.key")}'\n");
        // The lease store (default /etc/routerha/leases.db) and dnsmasq's lease file, in the box.
        text = Edit(text, "\toption lease_file '/tmp/dhcp.leases'\n",
            $"\toption lease_file '{box.OnRoot("/tmp/dhcp.leases")}'\n\toption db_path '{box.OnRoot("/etc/routerha/leases.db")}'\n");
        node.ConfigText = text;
        node.ExtraEnvironment = new Dictionary<string, string> { ["PATH"] = $"{box.OnRoot("/sbin")}:/usr/sbin:/usr/bin:/sbin:/bin" };
        Assert.True(Directory.Exists("/etc/init.d"), "the lab bind-mounts each box's init scripts over the host's /etc/init.d, which must exist");
        node.Wrap = command => ("/bin/sh",
            ["-c", "mount --bind \"$0\" /etc/init.d && exec \"$@\"", box.OnRoot("/etc/init.d"), command.File, .. command.Args]);
        return node;
    }

    private static string Edit(string text, string from, string to)
    {
        Assert.Contains(from, text);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    /// <summary>The text of a numbered "Next:" step setup printed, after its lead-in.</summary>
    private static string NextStep(string stdout, string lead)
    {
        var line = stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains(lead, StringComparison.Ordinal));
        Assert.True(line is not null, $"setup printed no step \"{lead}\"\n{stdout}");
        return line![(line.IndexOf(lead, StringComparison.Ordinal) + lead.Length)..].Trim();
    }

    private static JsonElement Status(RouterHaNode node)
    {
        var r = node.Cli("status", "--json");
        Assert.True(r.Ok, $"status on {node.Label}: {r.StdErr}");
        return JsonDocument.Parse(r.StdOut).RootElement.Clone();
    }

    private static bool RoleDone(RouterHaNode node, string target) =>
        node.TryStatus()?.Role is { Finished: true } role && role.Target == target;

    private static void PeerChannelUp(RouterHaNode node, string peer, Func<string> diag)
    {
        var paths = Status(node).GetProperty("peers").EnumerateArray().ToList();
        Assert.True(paths.Count == 1 && paths[0].GetProperty("up").GetBoolean() && paths[0].GetProperty("peer_node").GetString() == peer,
            $"{node.Label}'s peer channel to {peer} is not up: {string.Join(", ", paths)}\n{diag()}");
    }

    /// <summary>MASTER: WAN up and persisted, the tunnel and proxy switched on and running, the VPS API client on,
    /// DHCP served (ignore 0, force 1) by a running dnsmasq.</summary>
    private static void InMasterState(OmrBox box, Func<string> diag)
    {
        var want = new Dictionary<string, string?>
        {
            ["network.wan.auto"] = "1", ["glorytun.vpn.enable"] = "1", ["shadowsocks-libev.sss0.disabled"] = "0",
            ["openmptcprouter.vps.disabled"] = "0", ["dhcp.lan.ignore"] = "0", ["dhcp.lan.force"] = "1",
        };
        Expect(box, "MASTER", want, wan: true, tunnel: true, proxy: true, dhcpServed: true, diag);
    }

    /// <summary>BACKUP: WAN down and kept down across reboots (auto 0), tunnel and proxy off and stopped, the VPS API
    /// client off, dnsmasq running without serving DHCP (ignore 1).</summary>
    private static void InBackupState(OmrBox box, Func<string> diag)
    {
        var want = new Dictionary<string, string?>
        {
            ["network.wan.auto"] = "0", ["glorytun.vpn.enable"] = "0", ["shadowsocks-libev.sss0.disabled"] = "1",
            ["openmptcprouter.vps.disabled"] = "1", ["dhcp.lan.ignore"] = "1",
        };
        Expect(box, "BACKUP", want, wan: false, tunnel: false, proxy: false, dhcpServed: false, diag);
    }

    private static void Expect(OmrBox box, string role, Dictionary<string, string?> committed, bool wan, bool tunnel, bool proxy,
        bool dhcpServed, Func<string> diag)
    {
        var wrong = new List<string>();
        foreach (var (key, value) in committed)
            if (box.Committed(key) is var v && v != value) wrong.Add($"{key} is {v ?? "unset"} (committed), want {value}");
        if (box.HasStagedChanges) wrong.Add("uncommitted uci changes: " + box.StagedChanges());
        if (box.WanUp != wan) wrong.Add($"wan is {(box.WanUp ? "up" : "down")}");
        if (box.Running("glorytun") != tunnel) wrong.Add($"glorytun {(tunnel ? "not running" : "running")}");
        if (box.Running("shadowsocks-libev") != proxy) wrong.Add($"shadowsocks-libev {(proxy ? "not running" : "running")}");
        if (!box.Running("dnsmasq")) wrong.Add("dnsmasq not running (it must run on both routers)");
        if (box.ServesDhcp != dhcpServed) wrong.Add($"dnsmasq {(dhcpServed ? "does not serve" : "serves")} DHCP");
        Assert.True(wrong.Count == 0, $"router {box.Which} is not in its {role} state: {string.Join("; ", wrong)}\n{diag()}");
    }

    private static List<(char Router, string Service, bool Up)> VpsEvents(string path) =>
        [.. File.ReadAllLines(path).SkipWhile(l => !l.StartsWith("-- routerha starts", StringComparison.Ordinal)).Skip(1)
            .Select(l => l.Split(' ')).Select(w => (w[0][0], w[1], w[2] == "up"))];

    /// <summary>Replays the clients' connects and disconnects after routerha started: at each connect, the other router
    /// has none of that service (the boot's two clients are both released before the first connect).</summary>
    private static void NeverTwoClients(List<(char Router, string Service, bool Up)> events, string service, Func<string> diag)
    {
        var up = new HashSet<char>();
        // Before routerha, both boxes' clients were connected.
        up.Add('a');
        up.Add('b');
        foreach (var (router, s, isUp) in events.Where(e => e.Service == service))
        {
            if (!isUp)
            {
                up.Remove(router);
                continue;
            }
            Assert.True(up.All(r => r == router), $"{service}: router {router} connected to the VPS while {string.Join(",", up)} still was\n{diag()}");
            up.Add(router);
        }
    }

    /// <summary>
    /// One stand-in OMR box: its root (etc/config in UCI syntax, etc/init.d, sbin for uci and ubus, tmp, state) with the
    /// UCI of a freshly set-up OMR router (LAN on the lab's interface, one multipath-master WAN, glorytun TCP,
    /// shadowsocks, one VPS, dhcp.lan). The stand-ins model what omr-facts.md says of the real ones:
    /// - uci: `set` stages (a delta per config, as /tmp/.uci) until `commit`; reads see committed + staged; no event;
    /// - ubus: `call network.interface.X up|down` is netifd's runtime switch (a flag), `status` answers {"up": ...};
    ///   boot raises every interface whose committed auto is not 0;
    /// - init scripts (procd): `start` runs the client only while its UCI switch is on (procd starts no instance the
    ///   script does not declare) and does nothing when running; `stop`; `restart`; `running` tells the truth. A client
    ///   that connects or disconnects says so in the shared VPS log;
    /// - dnsmasq: runs on both; serves DHCP after a (re)start only when dhcp.lan.ignore is not 1 and either force is 1
    ///   or the other router's dnsmasq does not serve (dhcp_check's probe).
    /// </summary>
    private sealed class OmrBox
    {
        private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        public OmrBox(string workDir, char which, string lanAddress, string vpsLog)
        {
            Which = which;
            LanAddress = lanAddress;
            Root = Path.Combine(workDir, $"omr-{which}");
            OtherRoot = Path.Combine(workDir, $"omr-{(which == 'a' ? 'b' : 'a')}");
            VpsLog = vpsLog;
            foreach (var dir in (string[])["/etc/config", "/etc/init.d", "/sbin", "/tmp", "/state"]) Directory.CreateDirectory(OnRoot(dir));
            File.WriteAllText(CallLog, "");
            WriteUci();
            Script("/sbin/uci", UciScript());
            Script("/sbin/ubus", UbusScript());
            Script("/etc/init.d/glorytun", ClientInitScript("glorytun", "glorytun.vpn.enable", on: "1", absent: "0"));
            Script("/etc/init.d/shadowsocks-libev", ClientInitScript("shadowsocks-libev", "shadowsocks-libev.sss0.disabled", on: "0", absent: "0"));
            Script("/etc/init.d/dnsmasq", DnsmasqInitScript());
        }

        public char Which { get; }
        public string LanAddress { get; }
        public string Root { get; }
        private string OtherRoot { get; }
        private string VpsLog { get; }
        private string CallLog => OnRoot("/calls.log");
        private string State => OnRoot("/state");

        public string OnRoot(string path) => Path.Join(Root, path.TrimStart('/'));

        public bool Running(string service) => File.Exists(Path.Combine(State, service + ".running"));

        public bool WanUp => File.Exists(Path.Combine(State, "iface.wan.up"));

        public bool ServesDhcp => File.Exists(Path.Combine(State, "dnsmasq.serving"));

        public bool HasStagedChanges => Directory.Exists(OnRoot("/tmp/.uci")) && Directory.EnumerateFiles(OnRoot("/tmp/.uci")).Any();

        public string StagedChanges() => string.Join(", ", Directory.EnumerateFiles(OnRoot("/tmp/.uci")).Select(f => $"{Path.GetFileName(f)}: {File.ReadAllText(f).Trim()}"));

        /// <summary>What /etc/config says (what survives a reboot), read with routerha's own UCI parser.</summary>
        public string? Committed(string key)
        {
            var parts = key.Split('.');
            var path = OnRoot($"/etc/config/{parts[0]}");
            var errors = new List<ConfigError>();
            var doc = UciParser.Parse(path, File.ReadAllText(path), errors);
            Assert.True(errors.Count == 0, $"{path} is no longer valid UCI: {string.Join("; ", errors)}");
            return doc.Sections.Where(s => s.Name == parts[1]).SelectMany(s => s.Options).LastOrDefault(o => o.Name == parts[2])?.Value;
        }

        /// <summary>What scp does to a new file: the same bytes, the same mode.</summary>
        public void ReceiveFile(string from, string path)
        {
            File.Copy(from, OnRoot(path), overwrite: true);
            File.SetUnixFileMode(OnRoot(path), File.GetUnixFileMode(from));
        }

        /// <summary>Power on: netifd raises every interface whose auto is not 0, then the init scripts start (dnsmasq 19,
        /// the VPS clients 90), as OpenWrt boots before routerha (60) would have its say.</summary>
        public void Boot()
        {
            if (Committed("network.wan.auto") != "0") Run(OnRoot("/sbin/ubus"), "call", "network.interface.wan", "up");
            foreach (var service in (string[])["dnsmasq", "glorytun", "shadowsocks-libev"]) Run(OnRoot($"/etc/init.d/{service}"), "start");
        }

        private void Run(string file, params string[] args)
        {
            var r = Shell.Run(file, args, TimeSpan.FromSeconds(10),
                new Dictionary<string, string> { ["PATH"] = $"{OnRoot("/sbin")}:/usr/sbin:/usr/bin:/sbin:/bin" });
            Assert.True(r.Ok, $"{file} {string.Join(' ', args)}: exit {r.ExitCode} {r.StdErr}");
        }

        public string Diagnostics()
        {
            var calls = File.ReadAllLines(CallLog);
            return $"--- omr box {Which}: wan {(WanUp ? "up" : "down")}, glorytun {Running("glorytun")}, shadowsocks {Running("shadowsocks-libev")}, " +
                   $"dnsmasq {Running("dnsmasq")} serving {ServesDhcp}; last changes made here:\n" + string.Join('\n', calls.Skip(Math.Max(0, calls.Length - 30)));
        }

        private void Script(string path, string body)
        {
            File.WriteAllText(OnRoot(path), body.Replace("@ROOT@", Root, StringComparison.Ordinal));
            File.SetUnixFileMode(OnRoot(path), Executable);
        }

        private void WriteUci()
        {
            File.WriteAllText(OnRoot("/etc/config/network"), $"""
                config interface 'loopback'
                	option device 'lo'
                	option proto 'static'
                	option ipaddr '127.0.0.1'
                	option netmask '255.0.0.0'
                	option multipath 'off'

                config globals 'globals'
                	option multipath 'enable'

                config interface 'lan'
                	option device '{LabTopology.LanInterface}'
                	option proto 'static'
                	option ipaddr '{LanAddress}'
                	option netmask '255.255.255.0'
                	option multipath 'off'

                config interface 'wan'
                	option device 'wan0'
                	option proto 'dhcp'
                	option multipath 'master'
                	option defaultroute '0'
                	option label 'Fibre'

                config interface 'omrvpn'
                	option device 'tun0'
                	option proto 'none'
                	option multipath 'off'

                """);
            File.WriteAllText(OnRoot("/etc/config/openmptcprouter"), """
                config settings 'settings'
                	option master 'wan'
                	option vpn 'glorytun_tcp'
                	option proxy 'shadowsocks'
                	option ha '0'
                	option get_config '1'

                config server 'vps'
                	option username 'openmptcprouter'
                	option get_config '1'
                	option disabled '0'
                	list ip '203.0.113.10'
                	option port '65500'

                config interface 'wan'
                	option multipath 'master'

                """);
            File.WriteAllText(OnRoot("/etc/config/dhcp"), """
                config dnsmasq
                	option domain 'lan'
                	option leasefile '/tmp/dhcp.leases'
                	option authoritative '1'

                config dhcp 'lan'
                	option interface 'lan'
                	option start '100'
                	option limit '150'
                	option leasetime '12h'
                	option dhcpv4 'server'

                config dhcp 'wan'
                	option interface 'wan'
                	option ignore '1'

                """);
            File.WriteAllText(OnRoot("/etc/config/glorytun"), """
                config glorytun 'vpn'
                	option enable '1'
                	option host '203.0.113.10'
                	option port '65001'
                	option dev 'tun0'
                	option proto 'tcp'

                """);
            File.WriteAllText(OnRoot("/etc/config/shadowsocks-libev"), """
                config server 'sss0'
                	option server '203.0.113.10'
                	option server_port '65101'
                	option disabled '0'

                config ss_redir 'hi1'
                	option server 'sss0'
                	option local_port '1100'
                	option disabled '0'

                config ss_rules 'ss_rules'
                	option redir_tcp 'hi1'
                	option disabled '0'

                """);
        }

        private static string UciScript() => """
            #!/bin/sh
            # STAND-IN for OpenWrt's uci (openwrt/uci): /etc/config/NAME in UCI syntax; `set` only stages the change (a delta
            # per config, as the real /tmp/.uci) and every read sees committed + staged; `commit` writes the file and drops
            # the delta, and sends no event; -q: no message, a missing entry exits 1.
            conf='@ROOT@/etc/config'; save='@ROOT@/tmp/.uci'
            quiet=; if [ "$1" = -q ]; then quiet=1; shift; fi
            fail() { [ -n "$quiet" ] || echo "uci: $1" >&2; exit 1; }
            # SECTION=TYPE and SECTION.OPTION=VALUE lines (an anonymous section is @TYPE[N], a list its values joined by a
            # space): the committed file, then the delta; the last value of a key wins.
            merged() {
              [ -f "$conf/$1" ] || return 1
              { awk '
                  function val(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); if (s ~ /^["\047]/) s = substr(s, 2, length(s) - 2); return s }
                  $1 == "config" { t = val($2); i = c[t]++; s = NF > 2 ? val($3) : "@" t "[" i "]"; print s "=" t; next }
                  $1 == "option" || $1 == "list" {
                    v = $0; sub(/^[ \t]*[a-z]+[ \t]+[^ \t]+/, "", v); k = s "." $2
                    if ($1 != "list") print k "=" val(v); else if (k in l) l[k] = l[k] " " val(v); else l[k] = val(v) }
                  END { for (k in l) print k "=" l[k] }' "$conf/$1"
                cat "$save/$1" 2>/dev/null; } |
              awk '{ i = index($0, "="); k = substr($0, 1, i - 1); if (!(k in v)) o[n++] = k; v[k] = substr($0, i + 1) }
                   END { for (j = 0; j < n; j++) print o[j] "=" v[o[j]] }'
            }
            lookup() { merged "$1" | awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); f = 1 } END { exit !f }'; }
            case "$1" in
            get) lookup "${2%%.*}" "${2#*.}" || fail "Entry not found" ;;
            set)
              echo "uci $*" >> '@ROOT@/calls.log'
              key=${2%%=*}; c=${key%%.*}; so=${key#*.}
              case "$so" in *.*) ;; *) fail "Invalid argument" ;; esac
              lookup "$c" "${so%%.*}" > /dev/null || fail "Invalid argument"
              mkdir -p "$save" && echo "$so=${2#*=}" >> "$save/$c" ;;
            commit)
              echo "uci $*" >> '@ROOT@/calls.log'
              [ -f "$save/$2" ] || exit 0
              awk '
                function val(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); if (s ~ /^["\047]/) s = substr(s, 2, length(s) - 2); return s }
                function put(k) { print "\toption " substr(k, index(k, ".") + 1) " \047" want[k] "\047"; done[k] = 1 }
                function flush(   j) { for (j = 0; j < n; j++) if (!done[key[j]] && index(key[j], s ".") == 1) put(key[j]) }
                FNR == NR { i = index($0, "="); k = substr($0, 1, i - 1); if (!(k in want)) key[n++] = k; want[k] = substr($0, i + 1); next }
                $1 == "config" { flush(); t = val($2); i = c[t]++; s = NF > 2 ? val($3) : "@" t "[" i "]"; print; next }
                /^[ \t]*$/ { flush(); print; next }
                $1 == "option" && ((s "." $2) in want) { if (!done[s "." $2]) put(s "." $2); next }
                { print }
                END { flush() }' "$save/$2" "$conf/$2" > "$conf/$2.new" && mv "$conf/$2.new" "$conf/$2" && rm "$save/$2" ;;
            show)
              out=$(merged "$2") || fail "Entry not found"
              echo "$out" | awk -v c="$2" '{ i = index($0, "="); k = substr($0, 1, i - 1); if (index(k, ".")) print c "." k "=\047" substr($0, i + 1) "\047"; else print c "." $0 }' ;;
            *) fail "unknown command $1" ;;
            esac
            """;

        private static string UbusScript() => """
            #!/bin/sh
            # STAND-IN for ubus with netifd behind it: `call network.interface.X up|down` switches the interface at run time
            # only (a flag in the state directory; a reboot raises it again unless network.X.auto is 0), `status` answers
            # netifd's JSON with "up"; an interface netifd does not know: "Not found", exit 4.
            [ "$1" = call ] || { echo "ubus stand-in: only call" >&2; exit 1; }
            case "$2" in
            network.interface.*)
              i=${2#network.interface.}
              uci -q get "network.$i" > /dev/null || { echo "Command failed: Not found" >&2; exit 4; }
              flag="@ROOT@/state/iface.$i.up"
              case "$3" in
              up) echo "ubus $*" >> '@ROOT@/calls.log'; touch "$flag" ;;
              down) echo "ubus $*" >> '@ROOT@/calls.log'; rm -f "$flag" ;;
              status) if [ -f "$flag" ]; then up=true; else up=false; fi
                      echo "{ \"up\": $up, \"pending\": false, \"available\": true, \"autostart\": $up, \"interface\": \"$i\" }" ;;
              *) echo "Command failed: Method not found" >&2; exit 4 ;;
              esac ;;
            service) exit 0 ;;
            *) echo "Command failed: Not found" >&2; exit 4 ;;
            esac
            """;

        /// <summary>A VPS client's init script: procd runs the client only while the script declares an instance, which it
        /// does only while the UCI switch is on.</summary>
        private string ClientInitScript(string name, string switchKey, string on, string absent) => $$"""
            #!/bin/sh
            # STAND-IN for /etc/init.d/{{name}} under procd: start declares the client only while {{switchKey}} is '{{on}}'
            # (unset reads '{{absent}}'), and does nothing when it runs; running tells whether it runs.
            s='@ROOT@/state/{{name}}.running'
            [ "$1" = running ] || echo "/etc/init.d/{{name}} $*" >> '@ROOT@/calls.log'
            up() { v=$(uci -q get '{{switchKey}}') || v='{{absent}}'; [ "$v" = '{{on}}' ] || return 0; [ -f "$s" ] && return 0; touch "$s"; echo '{{Which}} {{name}} up' >> '{{VpsLog}}'; }
            down() { [ -f "$s" ] || return 0; rm -f "$s"; echo '{{Which}} {{name}} down' >> '{{VpsLog}}'; }
            case "$1" in
            start) up ;;
            stop) down ;;
            restart) down; up ;;
            running) [ -f "$s" ] ;;
            enabled) exit 0 ;;
            *) echo "Syntax: /etc/init.d/{{name}} [command]" >&2; exit 1 ;;
            esac
            """;

        private string DnsmasqInitScript() => $$"""
            #!/bin/sh
            # STAND-IN for OpenWrt's /etc/init.d/dnsmasq: it runs on both routers; a (re)start serves DHCP on lan only when
            # dhcp.lan.ignore is not 1 and either dhcp.lan.force is 1 or no other DHCP server answers (dhcp_check: here,
            # the other router's dnsmasq serving); start on a running dnsmasq changes nothing.
            s='@ROOT@/state/dnsmasq'
            [ "$1" = running ] || echo "/etc/init.d/dnsmasq $*" >> '@ROOT@/calls.log'
            begin() {
              touch "$s.running"
              ignore=$(uci -q get dhcp.lan.ignore); force=$(uci -q get dhcp.lan.force)
              if [ "$ignore" != 1 ] && { [ "$force" = 1 ] || [ ! -f '{{OtherRoot}}/state/dnsmasq.serving' ]; }
              then touch "$s.serving"; else rm -f "$s.serving"; fi
            }
            case "$1" in
            start) [ -f "$s.running" ] || begin ;;
            stop) rm -f "$s.running" "$s.serving" ;;
            restart) rm -f "$s.running" "$s.serving"; begin ;;
            running) [ -f "$s.running" ] ;;
            enabled) exit 0 ;;
            *) echo "Syntax: /etc/init.d/dnsmasq [command]" >&2; exit 1 ;;
            esac
            """;
    }
}
