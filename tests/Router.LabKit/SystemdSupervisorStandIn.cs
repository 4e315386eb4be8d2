using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Router.LabKit;

/// <summary>
/// A stand-in for systemd running routerha under dist/systemd/routerha.service: Type=notify, WatchdogSec with
/// WatchdogSignal=SIGKILL, Restart=on-failure after RestartSec, and KillMode=control-group (when the main process
/// dies, every process it left in its cgroup, such as a tunnel client started by a `command` action, is killed too).
/// It owns NOTIFY_SOCKET, passes WATCHDOG_USEC and WATCHDOG_PID, and puts the daemon in a cgroup of the v1 name=systemd
/// hierarchy as systemd does. Real systemd cannot be used: it is not PID 1 on the lab machine (a container whose init
/// is a process API, no /run/systemd/system), and a second systemd cannot supervise a unit inside one test.
/// </summary>
public sealed class SystemdSupervisorStandIn : IDisposable
{
    private const string CgroupRoot = "/sys/fs/cgroup/systemd";
    private static int _counter;
    private readonly RouterHaNode _node;
    private readonly TimeSpan _watchdog, _restartSec;
    private readonly bool _restart;
    private readonly string _socketPath;
    private readonly string _cgroup;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(DateTimeOffset At, string What)> _events = [];
    private Task? _loop;

    public SystemdSupervisorStandIn(RouterHaNode node, string workDir, TimeSpan watchdogSec, TimeSpan restartSec, bool restart)
    {
        _node = node;
        _watchdog = watchdogSec;
        _restartSec = restartSec;
        _restart = restart;
        _socketPath = Path.Combine(workDir, $"notify-{node.Label}.sock");
        _cgroup = Path.Combine(CgroupRoot, $"{LabRun.Prefix}-{node.Label}-{Interlocked.Increment(ref _counter)}");
        Directory.CreateDirectory(_cgroup);
        _socket.Bind(new UnixDomainSocketEndPoint(_socketPath));
        node.ExtraEnvironment = new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = _socketPath,
            ["WATCHDOG_USEC"] = ((long)(watchdogSec.TotalMicroseconds)).ToString(CultureInfo.InvariantCulture),
        };
        // systemd forks, sets WATCHDOG_PID to the child's pid, then execs: the same here (`ip netns exec` execs too).
        node.Wrap = c => ("/bin/sh", ["-c", "WATCHDOG_PID=$$ && export WATCHDOG_PID && exec \"$0\" \"$@\"", c.File, .. c.Args]);
    }

    /// <summary>What the supervisor saw and did, in order: "ready", "stopping", "watchdog timeout", "killed", "exited N", "started".</summary>
    public IReadOnlyList<(DateTimeOffset At, string What)> Events
    {
        get { lock (_events) return [.. _events]; }
    }

    public int Pings { get; private set; }

    public DateTimeOffset? FirstAt(string what, DateTimeOffset since) =>
        Events.Where(e => e.What.StartsWith(what, StringComparison.Ordinal) && e.At >= since).Select(e => (DateTimeOffset?)e.At).FirstOrDefault();

    /// <summary>systemctl start: starts the daemon and supervises it until disposed.</summary>
    public void Start()
    {
        StartDaemon();
        _loop = Task.Run(() => Supervise(_stop.Token));
    }

    private void StartDaemon()
    {
        _node.Start();
        // Joined from here, not by the child: `ip netns exec` mounts a sysfs of its own, without the cgroup tree. The
        // daemon forks nothing before its runtime is up, long after this write.
        File.WriteAllText(Path.Combine(_cgroup, "cgroup.procs"), _node.Pid!.Value.ToString(CultureInfo.InvariantCulture));
        Record($"started pid {_node.Pid}");
    }

    private void Record(string what)
    {
        lock (_events) _events.Add((DateTimeOffset.UtcNow, what));
    }

    private async Task Supervise(CancellationToken ct)
    {
        var buffer = new byte[4096];
        var deadline = Stopwatch.StartNew();
        while (!ct.IsCancellationRequested)
        {
            // Poll in short slices so an exit is seen at once; a datagram wakes the poll immediately.
            if (_socket.Poll(20_000, SelectMode.SelectRead))
            {
                var text = Encoding.UTF8.GetString(buffer, 0, _socket.Receive(buffer));
                foreach (var line in text.Split('\n'))
                {
                    if (line == "WATCHDOG=1")
                    {
                        Pings++;
                        deadline.Restart();
                    }
                    else if (line == "READY=1") Record("ready");
                    else if (line == "STOPPING=1") Record("stopping");
                }
            }
            if (_node.IsRunning && deadline.Elapsed > _watchdog)
            {
                Record("watchdog timeout");
                _node.Kill9();
                Record("killed");
            }
            if (_node.IsRunning || _node.ExitCode is not { } code) continue;
            // The main process is gone (crash, kill, watchdog): the rest of its cgroup goes too, then maybe a restart.
            Record($"exited {code}");
            KillControlGroup();
            if (!_restart || code == 0) return;
            await Task.Delay(_restartSec, ct).ConfigureAwait(false);  // RestartSec: the modelled respawn delay itself
            StartDaemon();
            deadline.Restart();
        }
    }

    private void KillControlGroup()
    {
        Wait.Until(() =>
        {
            var pids = ControlGroupPids();
            foreach (var pid in pids) Native.Kill(pid, Native.SIGKILL);
            return pids.Count == 0;
        }, TimeSpan.FromSeconds(5), $"the cgroup {_cgroup} to be empty");
    }

    private List<int> ControlGroupPids()
    {
        try
        {
            return File.ReadAllLines(Path.Combine(_cgroup, "cgroup.procs"))
                .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        }
        catch (IOException) { return []; }
    }

    public string Diagnostics() =>
        $"--- supervisor stand-in of {_node.Label}: {Pings} pings; " +
        string.Join("; ", Events.Select(e => $"{e.At:HH:mm:ss.fff} {e.What}"));

    public void Dispose()
    {
        _stop.Cancel();
        try { _loop?.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        if (_node.Pid is { } pid && _node.IsRunning) Native.Kill(pid, Native.SIGKILL);
        try { KillControlGroup(); } catch (TimeoutException) { }
        try { Wait.Until(() => ControlGroupPids().Count == 0, TimeSpan.FromSeconds(5), "cgroup empty"); Directory.Delete(_cgroup); }
        catch (Exception e) when (e is IOException or TimeoutException) { }
        _socket.Dispose();
        _stop.Dispose();
    }
}
