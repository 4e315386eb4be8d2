using System.Reflection;
using System.Text.Json;
using Router.Core.Config;
using Router.Daemon.Control;
using Router.Integrations.Logging;
using Router.Linux;

namespace Router.Daemon;

/// <summary>The command-line verbs. Exit codes: 0 ok, 1 refused / failed, 2 usage.</summary>
public static class Cli
{
    private const string Usage = """
        usage: routerha VERB [options]
          run [-c FILE]                  run the daemon in the foreground (procd/systemd style)
          check-config [-c FILE]         validate the config and exit (0 = valid)
          status [--json] [-s SOCKET]    state, priority, master, timers, counters, last transitions
          switchover [--instance NAME] [-s SOCKET]
                                         MASTER hands over to the backup and stays BACKUP
          maintenance on|off [-s SOCKET] stay BACKUP (handing over first) / take part again
          reload [-s SOCKET]             re-read the config (same as SIGHUP)
          leases [--json]                the DHCP lease store (active, expired and deleted rows)
          dhcp-script [-c FILE] [-s SOCKET] ACTION ARGS...
                                         dnsmasq --dhcp-script entry (add, old, del, init, ...)
          import-keepalived FILE [--force]
                                         print keepalived.conf as /etc/config/routerha; what cannot be carried
                                         over goes to stderr as FILE:LINE: (exit 1 if important, unless --force)
          setup omr --router a|b --vip ADDR[/LEN] --peer ADDR [--vrid N] [--secret-file FILE] [--root DIR] [--dry-run] [--force]
                                         write /etc/config/routerha for an OpenMPTCProuter pair from this router's UCI
                                         (--peer: the other router's LAN address; docs/setup-omr.md)
          genkey [FILE]                  a new random peer secret: printed, or written to a new FILE (mode 0600)
          boot-guard [-c FILE]           at boot, before dnsmasq and the network: fenced WAN auto=0, DHCP ignore=1
          rpcd list | rpcd call METHOD   the rpcd plugin behind `ubus call routerha` (LuCI): JSON arguments on stdin
          version                        print the version
        -c FILE    config file (default /etc/config/routerha, or $ROUTERHA_CONFIG)
        -s SOCKET  control socket (default: control_socket from the config, else /var/run/routerha.sock)
        """;

    public static string Version { get; } =
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static int Run(string[] args)
    {
        if (args.Length == 0) return UsageError("a verb is required");
        var verb = args[0];
        // dnsmasq's arguments (MAC, IP, hostname) are positional and not routerha options.
        if (verb == "dhcp-script") return Leases.DhcpScriptCommand.Run(args[1..]);
        if (verb == "import-keepalived") return ImportKeepalived(args[1..]);
        if (verb == "setup") return SetupCommand.Run(args[1..], Console.Out, Console.Error);
        if (verb == "rpcd") return Rpcd.RpcdCommand.Run(args[1..]);
        var opts = Options.Parse(args[1..], out var error);
        if (error is not null) return UsageError(error);
        try
        {
            return verb switch
            {
                "run" => RunDaemon(opts),
                "check-config" => CheckConfig(opts),
                "status" => Status(opts),
                "switchover" => Control(opts, new ControlRequest("switchover", Instance: opts.Instance)),
                "maintenance" => opts.Positional is "on" or "off"
                    ? Control(opts, new ControlRequest("maintenance", On: opts.Positional == "on"))
                    : UsageError("maintenance needs 'on' or 'off'"),
                "reload" => Control(opts, new ControlRequest("reload")),
                "leases" => Leases.LeasesCommand.Run(opts.Config, opts.Json),
                "genkey" => GenKey(opts.Positional),
                "boot-guard" => BootGuard.Run(opts.Config, new Router.Integrations.Actions.CommandRunner()),
                "version" or "--version" or "-V" => Print(Version),
                "help" or "--help" or "-h" => Print(Usage),
                _ => UsageError($"unknown verb '{verb}'"),
            };
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"routerha: {e.Message}");
            return 1;
        }
    }

    /// <summary>A key for `option secret` (printed) or `option secret_file` (written to a new file only: never over one).</summary>
    private static int GenKey(string? file)
    {
        if (file is null) return Print(Router.Peers.PeerSecret.Generate());
        try
        {
            Router.Peers.PeerSecret.WriteNewKeyFile(file);
        }
        catch (IOException) when (File.Exists(file) || Directory.Exists(file))
        {
            Console.Error.WriteLine($"routerha: {file} exists: not overwritten (remove it first to replace the key on both routers)");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"routerha: {e.Message}");
            return 1;
        }
        Console.Error.WriteLine($"routerha: new key in {file} (mode 0600); copy it to the other router and set option secret_file '{file}' on both");
        return 0;
    }

    /// <summary>Exit 0: all carried over (or --force); 1: something important dropped; 2: usage, unreadable, bad syntax.</summary>
    private static int ImportKeepalived(string[] args)
    {
        var force = args.Contains("--force");
        var rest = args.Where(a => a != "--force").ToList();
        if (rest.Count != 1 || rest[0].StartsWith('-'))
            return UsageError(rest.Count == 0 ? "import-keepalived needs a keepalived.conf file" : $"import-keepalived: unexpected argument '{rest.FirstOrDefault(a => a.StartsWith('-')) ?? rest[1]}'");
        var path = Path.GetFullPath(rest[0]);
        var files = new KeepalivedFiles();
        if (files.Read(path) is null)
        {
            Console.Error.WriteLine($"routerha: cannot read {rest[0]}");
            return 2;
        }
        var result = Router.Core.Import.KeepalivedImporter.Import(path, files);
        foreach (var note in result.Notes.Concat(result.SyntaxErrors))
            Console.Error.WriteLine(Router.Core.Text.SafeText.Clean(note.ToString(), 1000));
        if (result.SyntaxErrors.Count > 0)
        {
            Console.Error.WriteLine($"routerha: {rest[0]} is not valid keepalived syntax: nothing imported");
            return 2;
        }
        Console.Write(result.Uci);
        if (!result.LostSomething) return 0;
        if (force)
        {
            Console.Error.WriteLine("routerha: --force: printed although some of the above was dropped");
            return 0;
        }
        Console.Error.WriteLine("routerha: some of the above is dropped and changes what the pair does: exit 1 (the config is printed; --force accepts it)");
        return 1;
    }

    private static int Print(string text)
    {
        Console.WriteLine(text);
        return 0;
    }

    private static int UsageError(string message)
    {
        Console.Error.WriteLine($"routerha: {message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }

    private static int CheckConfig(Options opts)
    {
        var path = ConfigFile.ResolvePath(opts.Config);
        using var net = TryOpenNetwork();
        var errors = new List<ConfigError>();
        var config = ConfigFile.Load(path, net, errors);
        if (config is null)
        {
            foreach (var e in errors) Console.Error.WriteLine(e);
            Console.Error.WriteLine($"{path}: {errors.Count} error(s)");
            return 1;
        }
        if ((OpenSslCheck.Problem(config) ?? PeerSecretCheck.Problem(config)) is { } missing)
        {
            Console.Error.WriteLine($"{path}: valid, but the daemon would not start here: {missing}");
            return 1;
        }
        Console.WriteLine($"{path}: OK, {config.Instances.Count} instance(s): " +
                          string.Join(", ", config.Instances.Select(i => $"{i.Vrrp.Name} (vrid {i.Vrrp.Vrid} on {i.Interface})")));
        // Warnings, not errors: the config runs, but a hung peer could still hold the tunnel when this one starts its own.
        foreach (var warning in Router.Core.Fencing.FenceBudget.Warnings(config)) Console.Error.WriteLine($"{path}: warning: {warning}");
        return 0;
    }

    private static Router.Core.Ports.INetworkControl? TryOpenNetwork()
    {
        try { return LinuxNetwork.OpenControl(); }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    private static int RunDaemon(Options opts)
    {
        using var earlyHup = new EarlyHangup();
        var path = ConfigFile.ResolvePath(opts.Config);
        var stderr = new StderrSink();
        var log = new Log(LogLevel.Info, stderr);
        var net = LinuxNetwork.OpenControl();
        var errors = new List<ConfigError>();
        var config = ConfigFile.Load(path, net, errors);
        if (config is null)
        {
            foreach (var e in errors) log.Error(e.ToString());
            log.Error($"not starting: {errors.Count} error(s) in {path} (routerha check-config -c {path})");
            return 1;
        }
        if (!config.Global.Enabled)
        {
            log.Info($"disabled in {path} (option enabled '0'): not starting");
            return 0;
        }
        if ((OpenSslCheck.Problem(config) ?? PeerSecretCheck.Problem(config)) is { } missing)
        {
            log.Error($"not starting: {missing}");
            return 1;
        }
        // With syslog on, stderr gets the lines only while /dev/log is unreachable (journald reads both: no duplicates).
        var syslog = config.Global.Syslog ? new SyslogSink(config.Global.SyslogFacility, fallback: stderr) : null;
        log = new Log(Log.TryParseLevel(config.Global.LogLevel, out var level) ? level : LogLevel.Info,
            syslog is null ? [stderr] : [syslog]);
        using var announcer = LinuxNetwork.OpenAnnouncer();
        var ports = new DaemonPorts(
            net,
            LinuxNetwork.OpenMonitor,
            announcer,
            (link, ic) => LinuxNetwork.OpenVrrpSocket(link, ic.Vrrp.Family, ic.SourceAddress, ic.Vrrp.UnicastPeers.Count == 0),
            LinuxNetwork.OpenLinkControl);
        // Integrations (MQTT, ...) are built here from the config and handed to the loop.
        var observers = new List<Router.Integrations.Events.IRouterObserver>();
        using var leases = OpenLeases(config, log);
        RouterDaemon? daemon = null;
        if (config.Mqtt is { } mqtt)
            observers.Add(Router.Integrations.Mqtt.MqttPublisher.Create(mqtt, NodeIdentity.Of(config.Global),
                (command, on) => daemon is null ? Task.FromResult((false, "starting")) : daemon.Commands(command, on), log));
        if (config.Global.Dbus ?? Router.Integrations.DBus.DBusExporter.SystemBusPresent(Environment.GetEnvironmentVariable, File.Exists))
            observers.Add(new Router.Integrations.DBus.DBusExporter(
                Router.Integrations.DBus.DBusExporter.SystemBusAddress(Environment.GetEnvironmentVariable),
                async (command, instance, on) =>
                {
                    if (daemon is null) return (false, "starting");
                    var r = await daemon.Ask(new Control.ControlRequest(command, on, instance)).ConfigureAwait(false);
                    return (r.Ok, r.Ok ? r.Message ?? "ok" : r.Error ?? "failed");
                }, log));
        var (watchdog, note) = Router.Integrations.Supervision.ServiceWatchdogs.FromEnvironment(
            Environment.GetEnvironmentVariable, Environment.ProcessId, new Router.Integrations.Actions.CommandRunner(), log.Warn);
        using var _ = watchdog;
        // Ours alone: an action or notify script that speaks sd_notify must not report to our unit.
        foreach (var variable in Router.Integrations.Supervision.ServiceWatchdogs.Variables) Environment.SetEnvironmentVariable(variable, null);
        if (note is not null) log.Warn(note);
        if (watchdog?.Timeout is { } timeout && timeout != config.Global.Watchdog)
            log.Warn($"{watchdog.Supervisor} watchdog is {timeout.TotalSeconds:0.###} s but option watchdog says {config.Global.Watchdog.TotalSeconds:0.###} s: " +
                     "check-config judges fence_window by the option, so make them agree");
        ports = ports with { Watchdog = watchdog };
        daemon = new RouterDaemon(config, ports, log, TimeProvider.System, observers, leases);
        try
        {
            return daemon.Run(listening: () =>
            {
                earlyHup.Dispose();
                if (earlyHup.Arrived) daemon.Post(new SignalArrived(System.Runtime.InteropServices.PosixSignal.SIGHUP));
            });
        }
        finally
        {
            foreach (var o in observers) o.Dispose();
            net.Dispose();
            syslog?.Dispose();
        }
    }

    /// <summary>A store that cannot be opened costs the leases, never VRRP: the daemon runs on without it.</summary>
    private static Leases.LeaseBook? OpenLeases(RouterConfig config, Log log)
    {
        if (config.Leases is not { } lc) return null;
        try
        {
            var book = Leases.LeaseBook.Open(lc.DbPath, NodeIdentity.Of(config.Global), log.Warn, DateTimeOffset.UtcNow,
                Leases.LeaseSettings.LimitsOf(lc), Leases.LeaseDriver.LoopBusyMs);
            log.Info($"lease store {lc.DbPath} open: {book.List(includeDeleted: false).Count} lease(s)");
            return book;
        }
        catch (Exception e) when (e is Router.Store.LeaseStoreException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or DllNotFoundException)
        {
            log.Error($"lease store {lc.DbPath} not opened, leases are not kept: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// To the daemon at -s, else at the config's control_socket (read leniently: a broken instance must not hide
    /// it). Problems in the config are shown only when the daemon cannot be reached, where they may be why: an
    /// answer is printed alone, since the rpcd plugin parses `status --json` with stderr merged in.
    /// </summary>
    private static ControlResponse Send(Options opts, ControlRequest request, TimeSpan timeout)
    {
        var problems = new List<ConfigError>();
        var socket = opts.Socket ?? ConfigFile.LoadGlobalAndLeases(ConfigFile.ResolvePath(opts.Config), problems).Global.ControlSocket;
        try
        {
            return ControlClient.SendAsync(socket, request, timeout).GetAwaiter().GetResult();
        }
        catch (IOException)
        {
            foreach (var p in problems) Console.Error.WriteLine($"routerha: {p}");
            throw;
        }
    }

    private static int Status(Options opts)
    {
        var response = Send(opts, new ControlRequest("status"), TimeSpan.FromSeconds(5));
        if (!response.Ok || response.Status is null)
        {
            Console.Error.WriteLine($"routerha: {response.Error ?? "no status"}");
            return 1;
        }
        Console.WriteLine(opts.Json
            ? ControlJsonText.Status(response.Status)
            : StatusText.Render(response.Status));
        return 0;
    }

    private static int Control(Options opts, ControlRequest request)
    {
        var response = Send(opts, request, TimeSpan.FromSeconds(10));
        if (!response.Ok)
        {
            Console.Error.WriteLine($"routerha: {response.Error}");
            return 1;
        }
        if (response.Message is not null) Console.WriteLine(response.Message);
        return 0;
    }

    private sealed record Options(string? Config, string? Socket, bool Json, string? Instance, string? Positional)
    {
        public static Options Parse(string[] args, out string? error)
        {
            string? config = null, socket = null, instance = null, positional = null;
            var json = false;
            error = null;
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i];
                string? Next() => i + 1 < args.Length ? args[++i] : null;
                switch (a)
                {
                    case "-c" or "--config": config = Next() ?? Fail(ref error, $"{a} needs a file"); break;
                    case "-s" or "--socket": socket = Next() ?? Fail(ref error, $"{a} needs a path"); break;
                    case "--instance": instance = Next() ?? Fail(ref error, $"{a} needs a name"); break;
                    case "--json": json = true; break;
                    default:
                        if (a.StartsWith('-') || positional is not null) error ??= $"unexpected argument '{a}'";
                        else positional = a;
                        break;
                }
            }
            return new Options(config, socket, json, instance, positional);
        }

        private static string? Fail(ref string? error, string message)
        {
            error ??= message;
            return null;
        }
    }
}
