namespace Router.Core.Roles;

/// <summary>
/// Runs role plans one step at a time: (state, event, now) -> commands, no clock or I/O of its own.
/// Events: <see cref="Transition"/> (a new plan supersedes the unfinished one), <see cref="StepFinished"/> (an
/// attempt's result, matched by ticket so results of superseded or timed-out attempts are ignored), and
/// <see cref="OnTimer"/> at <see cref="NextDeadline"/> (step timeouts, retry backoff).
/// A failed step is recorded and the plan goes on, except that a failed fence check skips every fenced step
/// after it: a tunnel is never started without the fence.
/// </summary>
public sealed class PlanRunner
{
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyList<ActionSpec> _actions;
    private readonly TimeSpan? _fenceTimeout;
    private readonly Dictionary<string, StepStatus> _last = [];

    private long _planId;
    private long _ticket;
    private RoleTarget? _target;
    private string _reason = "";
    private IReadOnlyList<PlanStep> _steps = [];
    private int _index;
    private int _attempt;
    private long _runningTicket;       // 0 = no attempt in flight
    private TimeSpan? _deadline;       // of the attempt in flight
    private TimeSpan? _retryAt;        // when waiting between attempts
    private bool _fenceFailed;
    private readonly List<string> _failed = [];
    private TimeSpan? _startedAt, _finishedAt;
    private long _stale;

    /// <param name="fenceTimeout">How long the fence check may wait before it counts as failed; null = until answered.</param>
    public PlanRunner(IReadOnlyList<ActionSpec> actions, TimeSpan? fenceTimeout = null)
    {
        _actions = actions;
        _fenceTimeout = fenceTimeout;
    }

    public RoleTarget? Target => _target;
    /// <summary>Grows with every transition (0 before the first).</summary>
    public long PlanId => _planId;
    public bool Finished => _target is null || _index >= _steps.Count;
    public TimeSpan? NextDeadline => _runningTicket != 0 ? _deadline : _retryAt;

    /// <summary>Before the first election result: put WAN, tunnel and DHCP into the BACKUP state, so a rebooting
    /// former master does not bring its tunnel up by itself.</summary>
    public IReadOnlyList<PlanCommand> Boot(TimeSpan now) => Transition(RoleTarget.Backup, "boot", now);

    public IReadOnlyList<PlanCommand> Transition(RoleTarget target, string reason, TimeSpan now)
    {
        var commands = new List<PlanCommand>();
        if (!Finished) Supersede(target, now, commands);
        _planId++;
        _target = target;
        _reason = reason;
        _steps = RolePlan.For(target, _actions, _fenceTimeout);
        _index = 0;
        _fenceFailed = false;
        _failed.Clear();
        _startedAt = now;
        _finishedAt = null;
        foreach (var s in _steps)
            _last[s.Name] = new StepStatus(s.Name, s.Phase, s.Direction, target, StepOutcome.Pending, 0, null, null, null, null);
        StartCurrentOrComplete(now, commands);
        return commands;
    }

    public IReadOnlyList<PlanCommand> StepFinished(long ticket, bool ok, string? error, TimeSpan now)
    {
        if (ticket == 0 || ticket != _runningTicket)
        {
            _stale++;
            return [];
        }
        var commands = new List<PlanCommand>();
        _runningTicket = 0;
        _deadline = null;
        if (ok)
        {
            Record(StepOutcome.Ok, null, now);
            _index++;
            StartCurrentOrComplete(now, commands);
        }
        else
            Fail(StepOutcome.Failed, string.IsNullOrEmpty(error) ? "failed" : error, now, commands);
        return commands;
    }

    public IReadOnlyList<PlanCommand> OnTimer(TimeSpan now)
    {
        var commands = new List<PlanCommand>();
        if (_runningTicket != 0 && _deadline <= now)
        {
            var step = _steps[_index];
            commands.Add(new CancelStep(_runningTicket, step.Name, "timeout"));
            _runningTicket = 0;
            _deadline = null;
            Fail(StepOutcome.TimedOut, $"no result within {Seconds(step.Timeout!.Value)}", now, commands);
        }
        else if (_runningTicket == 0 && _retryAt <= now)
        {
            _retryAt = null;
            StartAttempt(now, commands);
        }
        return commands;
    }

    public PlanStatus Status => new(
        _planId, _target, _reason, Finished,
        Finished ? null : _steps[_index].Name,
        _startedAt, _finishedAt,
        _steps.Select(s => _last[s.Name]).ToList(),
        _stale);

    /// <summary>The last outcome of a step by name, from whichever plan ran it last.</summary>
    public StepStatus? Step(string name) => _last.GetValueOrDefault(name);

    private void Supersede(RoleTarget next, TimeSpan now, List<PlanCommand> commands)
    {
        var why = $"superseded by {RoleNames.Of(next)}";
        if (_runningTicket != 0)
            commands.Add(new CancelStep(_runningTicket, _steps[_index].Name, why));
        for (var i = _index; i < _steps.Count; i++)
        {
            var s = _last[_steps[i].Name];
            _last[s.Name] = s with { Outcome = StepOutcome.Superseded, Error = s.Error ?? why, FinishedAt = s.StartedAt is null ? null : now, RetryAt = null };
        }
        _runningTicket = 0;
        _deadline = null;
        _retryAt = null;
    }

    private void Fail(StepOutcome outcome, string error, TimeSpan now, List<PlanCommand> commands)
    {
        var step = _steps[_index];
        if (_attempt <= step.Retries)
        {
            var delay = Backoff(step.RetryDelay, _attempt);
            _retryAt = now + delay;
            Record(outcome, $"{error} (retry {_attempt} of {step.Retries} in {Seconds(delay)})", now);
            return;
        }
        Record(outcome, error, now);
        _failed.Add(step.Name);
        if (step.Phase == StepPhase.Fence) _fenceFailed = true;
        _index++;
        StartCurrentOrComplete(now, commands);
    }

    private void StartCurrentOrComplete(TimeSpan now, List<PlanCommand> commands)
    {
        while (_index < _steps.Count && _fenceFailed && _steps[_index].Fenced && _steps[_index].Direction == ActionDirection.Start)
        {
            var s = _last[_steps[_index].Name];
            _last[s.Name] = s with { Outcome = StepOutcome.Skipped, Error = "fence check failed", FinishedAt = now };
            _index++;
        }
        if (_index >= _steps.Count)
        {
            _finishedAt = now;
            commands.Add(new PlanCompleted(_planId, _target!.Value, _failed.ToList(), now - _startedAt!.Value));
            return;
        }
        _attempt = 0;
        StartAttempt(now, commands);
    }

    private void StartAttempt(TimeSpan now, List<PlanCommand> commands)
    {
        var step = _steps[_index];
        _attempt++;
        _runningTicket = ++_ticket;
        _deadline = step.Timeout is { } t ? now + t : null;
        var s = _last[step.Name];
        _last[step.Name] = s with
        {
            Outcome = step.Phase == StepPhase.Fence ? StepOutcome.Waiting : StepOutcome.Running,
            Attempts = _attempt,
            StartedAt = now,
            FinishedAt = null,
            RetryAt = null,
        };
        commands.Add(new StartStep(_runningTicket, _planId, step, _target!.Value, _attempt, _reason));
    }

    private void Record(StepOutcome outcome, string? error, TimeSpan now)
    {
        var s = _last[_steps[_index].Name];
        _last[s.Name] = s with { Outcome = outcome, Error = error, FinishedAt = now, RetryAt = _retryAt };
    }

    /// <summary>The wait before retry number <paramref name="attempt"/> (1-based): doubling from the first, capped.</summary>
    internal static TimeSpan Backoff(TimeSpan first, int attempt)
    {
        var ticks = first.Ticks * Math.Pow(2, attempt - 1);
        return ticks >= MaxRetryDelay.Ticks ? MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";
}
