using Router.Integrations.Actions;

namespace Router.Integrations.Supervision;

/// <summary>Which supervisor started the daemon, from its environment: systemd (Type=notify), procd (our init script), or none.</summary>
public static class ServiceWatchdogs
{
    /// <summary>The variables handed to us that children (action and notify scripts) must not inherit: a tunnel script
    /// that speaks sd_notify would otherwise report to our unit.</summary>
    public static readonly string[] Variables =
        ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", ProcdEnvironment.ServiceVariable, ProcdEnvironment.InstanceVariable, ProcdEnvironment.WatchdogVariable];

    /// <summary>The watchdog (null under no supervisor that wants one) and a note worth logging (null when none).</summary>
    public static (IServiceWatchdog? Watchdog, string? Note) FromEnvironment(Func<string, string?> env, int pid, CommandRunner runner, Action<string> warn)
    {
        if (SystemdEnvironment.Parse(env, pid) is { } systemd) return (new SystemdWatchdog(systemd, warn), systemd.Note);
        if (ProcdEnvironment.Parse(env) is { } procd) return (new ProcdWatchdog(procd, runner), procd.Note);
        return (null, null);
    }
}
