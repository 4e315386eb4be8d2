using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Router.LabKit;

/// <summary>What the test broker accepts: plain and/or TLS listener, anonymous or one user.</summary>
public sealed record MosquittoOptions
{
    public IPAddress Address { get; init; } = IPAddress.Loopback;
    public int Port { get; init; }
    public (string User, string Password)? User { get; init; }
    /// <summary>Adds a TLS listener on this port with the CA's server certificate.</summary>
    public TestCa? Tls { get; init; }
    public int TlsPort { get; init; }
    public bool RequireClientCertificate { get; init; }
}

/// <summary>
/// The real mosquitto (Debian 2.0), one per test: its own config, port and directory. Run as root it drops to
/// the `mosquitto` user, so its directory is chowned to that user. Started in a namespace (a lab address) or on
/// the host's loopback. Readiness is its own log line for each listener; the pid is tracked run-wide.
/// </summary>
public sealed class Mosquitto : IDisposable
{
    private const int SIGSTOP = 19;
    private const int SIGCONT = 18;
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _dir;

    public MosquittoOptions Options { get; }
    public Netns? Namespace { get; }
    public int Pid { get; }

    private Mosquitto(MosquittoOptions options, Netns? ns, string dir, Process process)
    {
        Options = options;
        Namespace = ns;
        _dir = dir;
        _process = process;
        Pid = process.Id;
    }

    /// <summary>A free TCP port on the host's loopback (the broker binds it a moment later).</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static Mosquitto Start(MosquittoOptions options, Netns? ns = null)
    {
        var dir = Directory.CreateTempSubdirectory("rha-mosq-").FullName;
        var conf = new StringBuilder();
        conf.Append("persistence false\nlog_dest stderr\nlog_type all\nper_listener_settings false\n");
        if (options.User is var (user, password))
        {
            Shell.Check("mosquitto_passwd", "-b", "-c", Path.Combine(dir, "passwd"), user, password);
            conf.Append($"allow_anonymous false\npassword_file {dir}/passwd\n");
        }
        else
            conf.Append("allow_anonymous true\n");
        if (options.Port != 0) conf.Append($"listener {options.Port} {options.Address}\n");
        if (options.Tls is { } ca)
        {
            conf.Append($"listener {options.TlsPort} {options.Address}\n");
            conf.Append($"cafile {ca.CaCert}\ncertfile {ca.ServerCert}\nkeyfile {ca.ServerKey}\n");
            if (options.RequireClientCertificate) conf.Append("require_certificate true\n");
        }
        var confPath = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(confPath, conf.ToString());
        if (Environment.UserName == "root") Shell.Check("chown", "-R", "mosquitto:", dir);

        var psi = new ProcessStartInfo(ns is null ? "mosquitto" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in ns is null ? ["-c", confPath] : (string[])["netns", "exec", ns.Name, "mosquitto", "-c", confPath])
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start mosquitto");
        LabRun.TrackPid(p.Id);
        var m = new Mosquitto(options, ns, dir, p);
        p.OutputDataReceived += (_, e) => m.Append(e.Data);
        p.ErrorDataReceived += (_, e) => m.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            var listeners = (options.Port != 0 ? 1 : 0) + (options.Tls is null ? 0 : 1);
            Wait.UntilAsync(() => m.Log.Split('\n').Count(l => l.Contains("Opening ipv4 listen socket", StringComparison.Ordinal)) >= listeners
                                  && m.Log.Contains(" running", StringComparison.Ordinal) || p.HasExited,
                TimeSpan.FromSeconds(10), "mosquitto to listen", () => m.Log).GetAwaiter().GetResult();
            if (p.HasExited) throw new InvalidOperationException($"mosquitto exited ({p.ExitCode}):\n{m.Log}");
        }
        catch
        {
            m.Dispose();
            throw;
        }
        return m;
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

    /// <summary>Freezes the broker (SIGSTOP): its sockets stay open, the kernel still accepts, nothing answers.</summary>
    public void Freeze() => Native.Kill(Pid, SIGSTOP);

    public void Thaw() => Native.Kill(Pid, SIGCONT);

    /// <summary>Starts `mosquitto_sub -v` as a real client next to the broker; every message becomes one line.</summary>
    public MqttSubscriber Subscribe(string topicFilter, (string User, string Password)? user = null) =>
        MqttSubscriber.Start(this, topicFilter, user);

    /// <summary>Runs `mosquitto_pub` next to the broker.</summary>
    public void Publish(string topic, string payload, bool retain = false, (string User, string Password)? user = null)
    {
        string[] args = ["-h", Options.Address.ToString(), "-p", Options.Port.ToString(), "-q", "1", "-t", topic, "-m", payload,
            .. retain ? (string[])["-r"] : [], .. user is var (u, pw) ? (string[])["-u", u, "-P", pw] : []];
        var r = Namespace is null ? Shell.Run("mosquitto_pub", args) : Namespace.Exec("mosquitto_pub", args);
        if (!r.Ok) throw new InvalidOperationException($"mosquitto_pub failed: {r.StdErr}");
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited)
        {
            Native.Kill(Pid, SIGCONT);
            Native.Kill(Pid, Native.SIGKILL);
            _process.WaitForExit(5000);
        }
        LabRun.ForgetPid(Pid);
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>One message as mosquitto_sub printed it.</summary>
public sealed record MqttLine(string Topic, bool Retained, string Payload);

/// <summary>mosquitto_sub printing "RETAIN TOPIC PAYLOAD" per message (-F '%r %t %p'), kept in arrival order.</summary>
public sealed class MqttSubscriber : IDisposable
{
    private readonly Process _process;
    private readonly List<MqttLine> _lines = [];
    private readonly StringBuilder _stderr = new();

    private MqttSubscriber(Process process) => _process = process;

    internal static MqttSubscriber Start(Mosquitto broker, string topicFilter, (string User, string Password)? user)
    {
        string[] args = ["-h", broker.Options.Address.ToString(), "-p", broker.Options.Port.ToString(), "-q", "1",
            "-t", topicFilter, "-F", "%r %t %p", .. user is var (u, pw) ? (string[])["-u", u, "-P", pw] : []];
        var psi = new ProcessStartInfo(broker.Namespace is null ? "mosquitto_sub" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in broker.Namespace is null ? args : ["netns", "exec", broker.Namespace.Name, "mosquitto_sub", .. args])
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start mosquitto_sub");
        LabRun.TrackPid(p.Id);
        var s = new MqttSubscriber(p);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            var parts = line.Split(' ', 3);
            if (parts.Length < 2) return;
            lock (s._lines) s._lines.Add(new MqttLine(parts[1], parts[0] == "1", parts.Length > 2 ? parts[2] : ""));
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line) lock (s._stderr) s._stderr.AppendLine(line);
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return s;
    }

    public IReadOnlyList<MqttLine> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <summary>The last payload seen on a topic, or null.</summary>
    public string? Last(string topic) => Lines.LastOrDefault(l => l.Topic == topic)?.Payload;

    public Task WaitForAsync(Func<IReadOnlyList<MqttLine>, bool> condition, TimeSpan timeout, string what) =>
        Wait.UntilAsync(() => condition(Lines), timeout, what, Describe);

    public string Describe()
    {
        string err;
        lock (_stderr) err = _stderr.ToString();
        return $"--- mosquitto_sub saw {Lines.Count} message(s):\n" +
               string.Join('\n', Lines.Select(l => $"{(l.Retained ? "R" : " ")} {l.Topic} {l.Payload}")) +
               (err.Length > 0 ? $"\nstderr: {err}" : "");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Native.Kill(_process.Id, Native.SIGKILL);
            _process.WaitForExit(5000);
        }
        LabRun.ForgetPid(_process.Id);
        _process.Dispose();
    }
}
