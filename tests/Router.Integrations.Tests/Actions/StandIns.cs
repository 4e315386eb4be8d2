using Router.LabKit;
namespace Router.Integrations.Tests.Actions;

/// <summary>
/// Stand-ins for OpenWrt's userland (ubus, uci, /etc/init.d scripts), which cannot exist here. Each records its argv
/// to one log, so a test can assert command lines and their order. Bare names go into a bin directory that is the
/// runner's PATH; init scripts into their own directory, recorded as /etc/init.d/NAME.
///
/// <see cref="Uci"/>, <see cref="Ubus"/> and <see cref="Service"/> also behave like the real ones, as omr-facts.md
/// describes them, so a test judges the state a user would see, not the calls:
/// - uci: configs under etc/config (one `section=type` or `section.option=value` line each, the `uci show` shape
///   without the config name), `set` staged until `commit` (as in /tmp/.uci), `get` sees staged values, `set` into
///   a config or section that does not exist fails, `show` prints `config.section.option='value'`;
/// - ubus: `call network.interface.X up|down|status` on interfaces that exist in the network config ("Command
///   failed: Not found", exit 4, otherwise), status as JSON with "up";
/// - init scripts: start / stop / restart / running; `start` of a service whose UCI switch is off leaves it stopped
///   (procd drops an instance its init script no longer declares), `start` on a running one changes nothing;
///   dnsmasq serves DHCP only when, at its last (re)start, the dhcp section was not ignored and no other DHCP
///   server answered (unless force=1, dnsmasq's dhcp_check);
/// - <see cref="Reboot"/>: staged changes and runtime state are gone, every interface with auto != 0 comes up
///   (netifd at boot) and every service whose switch is on runs.
/// </summary>
internal sealed class StandIns : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rha-standin-").FullName;
    private readonly List<string> _services = [];

    public StandIns()
    {
        Directory.CreateDirectory(BinDir);
        Directory.CreateDirectory(InitDir);
        Directory.CreateDirectory(ConfigDir);
        Directory.CreateDirectory(StateDir);
        File.WriteAllText(LogPath, "");
    }

    public string BinDir => Path.Combine(_root, "bin");
    public string InitDir => Path.Combine(_root, "init.d");
    public string LogPath => Path.Combine(_root, "calls.log");
    public string ConfigDir => Path.Combine(_root, "etc", "config");
    public string StagedDir => Path.Combine(_root, "uci-staged");
    public string StateDir => Path.Combine(_root, "state");
    public string Root => _root;

    /// <summary>A recording command on PATH; <paramref name="then"/> is extra shell run after recording.</summary>
    public StandIns Bin(string name, string then = "exit 0") => Write(Path.Combine(BinDir, name), name, then);

    public StandIns Init(string name, string then = "exit 0") => Write(Path.Combine(InitDir, name), "/etc/init.d/" + name, then);

    public IReadOnlyList<string> Calls() => File.ReadAllLines(LogPath);

    public void ClearCalls() => File.WriteAllText(LogPath, "");

    /// <summary>The stateful uci (see the class comment).</summary>
    public StandIns Uci() => Bin("uci", $$"""
        conf='{{ConfigDir}}'; staged='{{StagedDir}}'
        quiet=; if [ "$1" = -q ]; then quiet=1; shift; fi
        fail() { [ -n "$quiet" ] || echo "uci: $1" >&2; exit 1; }
        # committed lines, then staged ones: the last value of a key wins, first-seen order kept
        merged() { cat "$conf/$1" "$staged/$1" 2>/dev/null | awk '{ i = index($0, "="); k = substr($0, 1, i - 1); if (!(k in v)) o[n++] = k; v[k] = substr($0, i + 1) } END { for (j = 0; j < n; j++) print o[j] "=" v[o[j]] }'; }
        lookup() { merged "$1" | awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); f = 1 } END { exit !f }'; }
        case "$1" in
        get)
          c=${2%%.*}; k=${2#*.}
          [ -f "$conf/$c" ] || fail "Entry not found"
          lookup "$c" "$k" || fail "Entry not found" ;;
        set)
          key=${2%%=*}; value=${2#*=}; c=${key%%.*}; k=${key#*.}
          [ -f "$conf/$c" ] || fail "Invalid argument"
          case "$k" in *.*) lookup "$c" "${k%%.*}" >/dev/null || fail "Invalid argument" ;; esac
          mkdir -p "$staged"; echo "$k=$value" >> "$staged/$c" ;;
        commit)
          if [ -f "$staged/$2" ]; then merged "$2" > "$conf/$2.new" && mv "$conf/$2.new" "$conf/$2" && rm "$staged/$2"; fi ;;
        show)
          [ -f "$conf/$2" ] || fail "Entry not found"
          merged "$2" | awk -v c="$2" '{ i = index($0, "="); k = substr($0, 1, i - 1); if (index(k, ".")) print c "." k "=\047" substr($0, i + 1) "\047"; else print c "." $0 }' ;;
        *) fail "unknown command $1" ;;
        esac
        """);

    /// <summary>The stateful ubus for network interfaces (needs <see cref="Uci"/>).</summary>
    public StandIns Ubus() => Bin("ubus", $$"""
        [ "$1" = call ] || exit 1
        name=${2#network.interface.}
        ROUTERHA_STANDIN_QUIET=1 '{{BinDir}}/uci' -q get "network.$name" > /dev/null || { echo "Command failed: Not found" >&2; exit 4; }
        up='{{StateDir}}/iface.'$name'.up'
        case "$3" in
        up) touch "$up" ;;
        down) rm -f "$up" ;;
        status) if [ -f "$up" ]; then echo '{ "up": true, "pending": false, "available": true }'; else echo '{ "up": false, "pending": false, "available": true }'; fi ;;
        *) echo "Command failed: Method not found" >&2; exit 4 ;;
        esac
        """);

    /// <summary>
    /// A stateful init script. <paramref name="switchKey"/> (uci key) with <paramref name="onValue"/>: `start` runs
    /// the service only while the key reads that value (a missing key reads <paramref name="absentIsOn"/>).
    /// dnsmasq gets its own rules (see the class comment).
    /// </summary>
    public StandIns Service(string name, string? switchKey = null, string onValue = "1", bool absentIsOn = false)
    {
        _services.Add(name);
        var gate = switchKey is null ? "true" : $$"""
            v=$(ROUTERHA_STANDIN_QUIET=1 '{{BinDir}}/uci' -q get '{{switchKey}}') || v='{{(absentIsOn ? onValue : "")}}'; [ "$v" = '{{onValue}}' ]
            """;
        var serve = name != "dnsmasq" ? "" : $$"""
            ignore=$(ROUTERHA_STANDIN_QUIET=1 '{{BinDir}}/uci' -q get dhcp.lan.ignore)
            force=$(ROUTERHA_STANDIN_QUIET=1 '{{BinDir}}/uci' -q get dhcp.lan.force)
            if [ "$ignore" != 1 ] && { [ "$force" = 1 ] || [ ! -f '{{StateDir}}/other-dhcp-server' ]; }; then touch "$s.serving"; else rm -f "$s.serving"; fi
            """;
        return Init(name, $$"""
            s='{{StateDir}}/{{name}}'
            begin() { if {{gate}}; then touch "$s.running"; {{(serve.Length == 0 ? ":" : "serve")}}; else rm -f "$s.running" "$s.serving"; fi; }
            serve() {
            {{serve}}
            :
            }
            case "$1" in
            start) [ -f "$s.running" ] || begin ;;
            stop) rm -f "$s.running" "$s.serving" ;;
            restart) rm -f "$s.running" "$s.serving"; begin ;;
            running) [ -f "$s.running" ] ;;
            enabled) exit 0 ;;
            *) echo "Syntax: /etc/init.d/{{name}} [command]" >&2; exit 1 ;;
            esac
            """);
    }

    /// <summary>Writes one committed config (lines as in the class comment).</summary>
    public StandIns Config(string config, params string[] lines)
    {
        File.WriteAllLines(Path.Combine(ConfigDir, config), lines);
        return this;
    }

    /// <summary>An executable sh script in <see cref="Root"/>; returns its path.</summary>
    public string Script(string name, string body)
    {
        var path = Path.Combine(Root, name);
        return ExecutableFile.Write(path, "#!/bin/sh\n" + body + "\n");
    }

    /// <summary>The committed value (what survives a reboot); null when absent.</summary>
    public string? Committed(string key)
    {
        var config = key[..key.IndexOf('.')];
        var path = Path.Combine(ConfigDir, config);
        if (!File.Exists(path)) return null;
        var prefix = key[(config.Length + 1)..] + "=";
        return File.ReadAllLines(path).LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }

    public bool HasStaged(string config) => File.Exists(Path.Combine(StagedDir, config));

    public bool IsRunning(string service) => File.Exists(Path.Combine(StateDir, service + ".running"));

    public bool IsUp(string iface) => File.Exists(Path.Combine(StateDir, $"iface.{iface}.up"));

    public bool ServesDhcp => File.Exists(Path.Combine(StateDir, "dnsmasq.serving"));

    /// <summary>Another DHCP server answers on the LAN (the peer's dnsmasq, as dhcp_check would see it).</summary>
    public bool OtherDhcpServer
    {
        set
        {
            var path = Path.Combine(StateDir, "other-dhcp-server");
            if (value) File.WriteAllText(path, "");
            else File.Delete(path);
        }
    }

    /// <summary>Something else (OMR's cron, an admin, `ifup`) runs a command: state changes, the log does not.</summary>
    public void Behind(string command, params string[] args)
    {
        var path = command.StartsWith("/etc/init.d/", StringComparison.Ordinal)
            ? Path.Combine(InitDir, command["/etc/init.d/".Length..])
            : Path.Combine(BinDir, command);
        var psi = new System.Diagnostics.ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ROUTERHA_STANDIN_QUIET"] = "1";
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
    }

    /// <summary>Power cycle: staged uci changes and runtime state are lost; netifd raises every interface whose
    /// committed auto is not 0, then the init scripts start their services (as their switches allow).</summary>
    public void Reboot()
    {
        PowerOff();
        Boot();
    }

    /// <summary>The first half of <see cref="Reboot"/>: what lives in RAM is gone.</summary>
    public void PowerOff()
    {
        if (Directory.Exists(StagedDir)) Directory.Delete(StagedDir, recursive: true);
        foreach (var f in Directory.GetFiles(StateDir).Where(f => !f.EndsWith("other-dhcp-server", StringComparison.Ordinal))) File.Delete(f);
    }

    /// <summary>The second half of <see cref="Reboot"/>: netifd, then the services.</summary>
    public void Boot()
    {
        var network = Path.Combine(ConfigDir, "network");
        if (File.Exists(network))
            foreach (var line in File.ReadAllLines(network).Where(l => l.EndsWith("=interface", StringComparison.Ordinal)))
            {
                var iface = line[..line.IndexOf('=')];
                if (Committed($"network.{iface}.auto") != "0") File.WriteAllText(Path.Combine(StateDir, $"iface.{iface}.up"), "");
            }
        foreach (var service in _services) Behind("/etc/init.d/" + service, "start");
    }

    private StandIns Write(string path, string recordedAs, string then)
    {
        // The runner's PATH holds only the stand-ins; their own shell code needs the system's tools too.
        ExecutableFile.Write(path, $"#!/bin/sh\nPATH=\"$PATH:/usr/bin:/bin\"\n[ -n \"$ROUTERHA_STANDIN_QUIET\" ] || echo \"{recordedAs} $*\" >> '{LogPath}'\n{then}\n");
        return this;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
