namespace Router.LabKit;

/// <summary>
/// Starts routerha nodes of a <see cref="RouterHaPairLab"/> under the <see cref="SystemdSupervisorStandIn"/> (watchdog,
/// restart on failure, cgroup kill), as dist/systemd/routerha.service runs them. Dispose before the lab: a supervisor
/// left running would restart a daemon the lab's teardown kills.
/// </summary>
public sealed class WatchdogLauncher : IDisposable
{
    private readonly List<SystemdSupervisorStandIn> _supervisors = [];

    public WatchdogLauncher(TimeSpan watchdogSec, TimeSpan restartSec)
    {
        WatchdogSec = watchdogSec;
        RestartSec = restartSec;
        Launcher = new DaemonLauncher($"systemd stand-in, WatchdogSec {watchdogSec.TotalSeconds:0.###} s, RestartSec {restartSec.TotalSeconds:0.###} s",
            Start, static (lab, r) => lab.Node(r).Pids);
    }

    public TimeSpan WatchdogSec { get; }
    public TimeSpan RestartSec { get; }
    public DaemonLauncher Launcher { get; }

    private void Start(IHaPairLab lab, char router)
    {
        if (lab is not RouterHaPairLab routerha)
            throw new InvalidOperationException($"the watchdog launcher runs routerha only, not {lab.Kind}");
        var supervisor = new SystemdSupervisorStandIn(routerha.Lab.Node(router), lab.Topology.WorkDir, WatchdogSec, RestartSec, restart: true);
        lock (_supervisors) _supervisors.Add(supervisor);
        supervisor.Start();
    }

    public string Diagnostics()
    {
        lock (_supervisors) return string.Join("\n", _supervisors.Select(s => s.Diagnostics()));
    }

    public void Dispose()
    {
        lock (_supervisors)
        {
            foreach (var s in _supervisors) s.Dispose();
            _supervisors.Clear();
        }
    }
}
