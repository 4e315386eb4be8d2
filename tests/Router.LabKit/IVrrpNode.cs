namespace Router.LabKit;

/// <summary>A VRRP daemon running in a router namespace; the same scenarios drive routerha and keepalived.</summary>
public interface IVrrpNode : IDisposable
{
    /// <summary>"A" or "B".</summary>
    string Label { get; }
    /// <summary>"routerha" or "keepalived".</summary>
    string Kind { get; }
    Netns Namespace { get; }
    VrrpSettings Settings { get; }

    void Start();
    bool IsRunning { get; }
    /// <summary>Every process of the daemon (keepalived: parent and VRRP child), for resource accounting.</summary>
    IReadOnlyList<int> Pids { get; }
    /// <summary>SIGKILL, no chance to say goodbye.</summary>
    void Kill9();
    /// <summary>SIGTERM and wait; returns the exit code, or null if it did not exit in time.</summary>
    Task<int?> TerminateAsync(TimeSpan timeout);
    /// <summary>MASTER, BACKUP, FAULT, INIT as the daemon reports it; STOPPED when not running; UNKNOWN if not yet observable.</summary>
    string State { get; }
    Task WaitForStateAsync(string state, TimeSpan timeout, CancellationToken ct = default);
    /// <summary>Log tail and state, for failure messages.</summary>
    string Diagnostics();
}
