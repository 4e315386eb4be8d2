using System.Globalization;

namespace Router.Integrations.Supervision;

/// <summary>
/// What systemd tells a Type=notify service through its environment (sd_watchdog_enabled's rules): $NOTIFY_SOCKET,
/// $WATCHDOG_USEC (the unit's WatchdogSec in microseconds) and $WATCHDOG_PID (set: only that process is watched).
/// </summary>
public sealed record SystemdEnvironment(string NotifySocket, TimeSpan? Watchdog, string? Note)
{
    /// <summary>Null when $NOTIFY_SOCKET is unset: not started by systemd as Type=notify.</summary>
    public static SystemdEnvironment? Parse(Func<string, string?> env, int pid)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (env("NOTIFY_SOCKET") is not { Length: > 0 } socket) return null;
        if (env("WATCHDOG_USEC") is not { Length: > 0 } usecText) return new(socket, null, null);
        if (!ulong.TryParse(usecText, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec == 0)
            return new(socket, null, $"WATCHDOG_USEC '{usecText}' is not a positive number of microseconds: no watchdog pings");
        if (env("WATCHDOG_PID") is { Length: > 0 } pidText)
        {
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var watched))
                return new(socket, null, $"WATCHDOG_PID '{pidText}' is not a pid: no watchdog pings");
            // The watchdog belongs to another process (a wrapper that exec'd us would have the same pid).
            if (watched != pid) return new(socket, null, $"WATCHDOG_PID {watched} is not this process ({pid}): no watchdog pings");
        }
        return new(socket, TimeSpan.FromTicks((long)Math.Min(usec * 10, (ulong)TimeSpan.MaxValue.Ticks)), null);
    }
}

/// <summary>systemd Type=notify with WatchdogSec: READY=1, WATCHDOG=1, STOPPING=1 over $NOTIFY_SOCKET.</summary>
public sealed class SystemdWatchdog(SystemdEnvironment environment, Action<string> warn) : IServiceWatchdog
{
    public const string ReadyMessage = "READY=1";
    public const string WatchdogMessage = "WATCHDOG=1";
    public const string StoppingMessage = "STOPPING=1";

    private readonly SdNotify _notify = new(environment.NotifySocket);

    public string Supervisor => "systemd";

    public TimeSpan? Timeout => environment.Watchdog;

    public void Ready() => Report(_notify.Send(SdNotify.Format(("READY", "1"), ("STATUS", "running"))));

    public void Ping(Action<string?> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        done(_notify.Send(WatchdogMessage));
    }

    public void Stopping() => Report(_notify.Send(SdNotify.Format(("STOPPING", "1"), ("STATUS", "handing over and stopping"))));

    private void Report(string? error)
    {
        if (error is not null) warn(error);
    }

    public void Dispose() => _notify.Dispose();
}
