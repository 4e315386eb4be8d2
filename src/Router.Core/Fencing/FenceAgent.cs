namespace Router.Core.Fencing;

/// <summary>Where the fencing agent is: never run, running, or how its last run ended.</summary>
public enum FenceAgentOutcome { Idle, Running, Ok, Failed, TimedOut, Cancelled }

/// <summary>The agent's last run, for status and the published view.</summary>
public sealed record FenceAgentStatus(FenceAgentOutcome Outcome, string? Detail, long Runs, TimeSpan? StartedAt, TimeSpan? FinishedAt);

/// <summary>
/// The optional fencing agent (STONITH, `option fence_command`), pure: when to run it, whether its result opens the
/// fence gate, and when it has timed out. The owner (RoleCoordinator) calls it while a fence step waits.
/// </summary>
/// <remarks>
/// Rules. An "episode" is one wait at the fence gate (one fence step). The agent runs at most once per episode, and
/// only while the peer is not reachable on any path: a live peer answers for its tunnel itself, and fencing a healthy
/// router would be an outage of our own making. No retry in the episode: a failed or timed-out agent leaves the gate
/// to the silence window, as without an agent, and a flapping peer channel cannot turn it into a loop. Exit 0 opens
/// the gate at once only if the peer is still unreachable when the result arrives; a peer that came back meanwhile is
/// judged by its own confirmation. An episode that ends otherwise (the peer confirmed, the window passed, we left
/// MASTER) cancels a running agent: it is no longer needed, and after a role change it may hit the new MASTER.
/// </remarks>
public sealed class FenceAgent(TimeSpan timeout)
{
    private long _nextTicket;
    private long _running;          // ticket of the run in flight, 0 = none
    private TimeSpan? _deadline;
    private long? _episodeRun;      // the episode the agent has run in
    private long? _episodeFenced;   // the episode whose gate the agent opened
    private FenceAgentStatus _status = new(FenceAgentOutcome.Idle, null, 0, null, null);

    public TimeSpan Timeout => timeout;

    public FenceAgentStatus Status => _status;

    public TimeSpan? NextDeadline => _running != 0 ? _deadline : null;

    public bool Running => _running != 0;

    /// <summary>True for the ticket of the run in flight (a late result of a killed run is not).</summary>
    public bool IsRunning(long ticket) => ticket != 0 && ticket == _running;

    /// <summary>The agent opened the gate of this episode.</summary>
    public bool Fenced(long episode) => _episodeFenced == episode;

    /// <summary>While episode <paramref name="episode"/> waits at the gate: the ticket of a run to start now, else null.</summary>
    public long? MaybeRun(long episode, bool peerReachable, TimeSpan now)
    {
        if (peerReachable || _running != 0 || _episodeRun == episode) return null;
        _episodeRun = episode;
        _running = ++_nextTicket;
        _deadline = now + timeout;
        _status = new FenceAgentStatus(FenceAgentOutcome.Running, null, _status.Runs + 1, now, null);
        return _running;
    }

    /// <summary>The run with this ticket ended. True when it opens the gate of <paramref name="episode"/>; a result
    /// for a run that was cancelled or timed out changes nothing.</summary>
    public bool OnResult(long ticket, bool ok, string detail, long? episode, bool peerReachable, TimeSpan now)
    {
        if (ticket == 0 || ticket != _running) return false;
        End(ok ? FenceAgentOutcome.Ok : FenceAgentOutcome.Failed, detail, now);
        if (!ok || peerReachable || episode is null || episode != _episodeRun) return false;
        _episodeFenced = episode;
        return true;
    }

    /// <summary>At <see cref="NextDeadline"/>: the ticket of the run that timed out (to be killed), else null.</summary>
    public long? OnTimer(TimeSpan now)
    {
        if (_running == 0 || now < _deadline) return null;
        var ticket = _running;
        End(FenceAgentOutcome.TimedOut, $"still running after {timeout.TotalSeconds:0.###} s, killed", now);
        return ticket;
    }

    /// <summary>The episode ended without the agent (confirmation, window, role change): the ticket of a run to kill.</summary>
    public long? Cancel(string why, TimeSpan now)
    {
        if (_running == 0) return null;
        var ticket = _running;
        End(FenceAgentOutcome.Cancelled, why, now);
        return ticket;
    }

    private void End(FenceAgentOutcome outcome, string detail, TimeSpan now)
    {
        _running = 0;
        _deadline = null;
        _status = _status with { Outcome = outcome, Detail = detail, FinishedAt = now };
    }
}
