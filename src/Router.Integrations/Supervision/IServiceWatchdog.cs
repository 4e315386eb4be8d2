namespace Router.Integrations.Supervision;

/// <summary>
/// The service manager that supervises the daemon (systemd, procd): told when the daemon is up and when it stops, and
/// pinged by the event loop so a hung loop gets the daemon killed and restarted.
/// </summary>
public interface IServiceWatchdog : IDisposable
{
    /// <summary>For logs and status: "systemd", "procd instance routerha/main".</summary>
    string Supervisor { get; }

    /// <summary>The supervisor's timeout; null when it expects no pings (no watchdog, or it watches another process).</summary>
    TimeSpan? Timeout { get; }

    /// <summary>The daemon is up (systemd Type=notify: READY=1). Never blocks.</summary>
    void Ready();

    /// <summary>
    /// Resets the supervisor's timer. Never blocks the caller: a slow ping runs off the loop, and one still running when
    /// the next is due is not doubled. <paramref name="done"/> gets null or the error, from any thread.
    /// </summary>
    void Ping(Action<string?> done);

    /// <summary>The daemon has begun to stop (systemd: STOPPING=1). Never blocks.</summary>
    void Stopping();
}
