using System.Diagnostics;
using System.Text;

namespace Router.LabKit;

/// <summary>
/// A private, system-like D-Bus (the real dbus-daemon) for one router: its own config with a unix:path listener,
/// the system bus's deny-by-default rules and routerha's shipped policy file (dist/dbus) included as a Debian
/// system.d file is. Never the host's bus. A path socket is a file, so a daemon in any namespace reaches it; the
/// directory is world-readable so that an unprivileged caller (nobody) can try too.
/// </summary>
public sealed class SystemBus : IDisposable
{
    private readonly string _dir;
    private readonly string _config;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private SystemBus(string dir, string config, string address)
    {
        _dir = dir;
        _config = config;
        Address = address;
    }

    /// <summary>The address for DBUS_SYSTEM_BUS_ADDRESS and `busctl --address`.</summary>
    public string Address { get; }

    public static string PolicyFile => Path.Combine(RouterHaBinary.RepoRoot, "dist", "dbus", "org.routerha.RouterHA1.conf");

    public static SystemBus Start()
    {
        var dir = Directory.CreateTempSubdirectory($"{LabRun.Prefix}-bus-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        var socket = Path.Combine(dir, "system_bus_socket");
        var config = Path.Combine(dir, "bus.conf");
        // The rules of a Debian system bus that matter here: nobody owns a name or calls a method unless a policy allows it.
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path={socket}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/>
                <deny own="*"/>
                <deny send_type="method_call"/>
                <allow send_type="signal"/>
                <allow send_requested_reply="true" send_type="method_return"/>
                <allow send_requested_reply="true" send_type="error"/>
                <allow receive_type="method_call"/>
                <allow receive_type="method_return"/>
                <allow receive_type="error"/>
                <allow receive_type="signal"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
                <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
              </policy>
              <include>{PolicyFile}</include>
            </busconfig>
            """);
        var bus = new SystemBus(dir, config, $"unix:path={socket}");
        try
        {
            bus.Launch();
        }
        catch
        {
            bus.Dispose();
            throw;
        }
        return bus;
    }

    /// <summary>The bus going away (a dbus restart on a real host): clients see their connection closed.</summary>
    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            Native.Kill(_process.Id, Native.SIGKILL);
            _process.WaitForExit(5000);
        }
        LabRun.ForgetPid(_process.Id);
        _process.Dispose();
        _process = null;
        // A killed dbus-daemon leaves its socket file behind; the next one would refuse to bind it.
        File.Delete(Address["unix:path=".Length..]);
    }

    /// <summary>Starts the bus (again) on the same socket path and config.</summary>
    public void Launch()
    {
        if (_process is not null) throw new InvalidOperationException("the bus is running");
        var psi = new ProcessStartInfo("dbus-daemon")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])[$"--config-file={_config}", "--nofork", "--nopidfile", "--nosyslog", "--print-address"])
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dbus-daemon");
        LabRun.TrackPid(p.Id);
        _process = p;
        p.ErrorDataReceived += (_, e) => Append(e.Data);
        p.BeginErrorReadLine();
        // --print-address writes once the socket listens: readiness without polling.
        var line = p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        if (line is null || !line.StartsWith("unix:", StringComparison.Ordinal))
            throw new InvalidOperationException($"dbus-daemon did not start: {Log}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>busctl against this bus, as root or (with <paramref name="asUser"/>) another user via setpriv.</summary>
    public CommandResult Busctl(string? asUser, params string[] args)
    {
        string[] busctl = ["busctl", $"--address={Address}", .. args];
        return asUser is null
            ? Shell.Run(busctl[0], busctl[1..], TimeSpan.FromSeconds(10))
            : Shell.Run("setpriv", ["--reuid", asUser, "--regid", "nogroup", "--clear-groups", .. busctl], TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
