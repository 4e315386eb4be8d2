using Router.Core.Roles;
using Router.Integrations.Actions;

namespace Router.Daemon.Tests.Kit;

/// <summary>
/// The action backends of one router: each step is recorded and, unless the test holds its action, succeeds at once.
/// A held step ends only when the test says so, or is cancelled by the plan.
/// </summary>
internal sealed class FakeSteps(Func<TimeSpan> now) : IStepRunner
{
    private readonly HashSet<(string Action, ActionDirection? Direction)> _held = [];
    private readonly Dictionary<string, string> _failing = [];
    private readonly Dictionary<long, StartStep> _pending = [];
    private Action<StepResult> _report = _ => { };
    private Action<EnforcementResult> _enforced = _ => { };
    private readonly Dictionary<string, bool> _running = [];

    /// <summary>Actions with a drift check: their "running" flag follows start/stop, and the test can flip it behind the
    /// daemon's back (<see cref="Undo"/>).</summary>
    public HashSet<string> Checked { get; } = [];

    public IReadOnlyCollection<string> DriftChecked => Checked;

    public List<(TimeSpan At, EnforcementWork Work)> Enforced { get; } = [];

    /// <summary>Something else (OMR's cron) starts or stops the action.</summary>
    public void Undo(string action, bool running) => _running[action] = running;

    public bool Running(string action) => _running.GetValueOrDefault(action);

    public void Enforce(EnforcementWork work)
    {
        Enforced.Add((now(), work));
        var wantRunning = work.Direction == ActionDirection.Start;
        if (work.Correct)
        {
            _running[work.Action] = wantRunning;
            _enforced(new EnforcementResult(work.Ticket, true, [], null, TimeSpan.Zero));
            return;
        }
        IReadOnlyList<string> drift = Running(work.Action) == wantRunning ? [] : [$"{work.Action}: {(Running(work.Action) ? "running" : "not running")}"];
        _enforced(new EnforcementResult(work.Ticket, true, drift, null, TimeSpan.Zero));
    }

    public List<(TimeSpan At, string Name, ActionDirection Direction)> Started { get; } = [];

    public List<(TimeSpan At, string Name)> Cancelled { get; } = [];

    public IStepRunner Attach(Action<StepResult> report, Action<EnforcementResult> enforced)
    {
        _report = report;
        _enforced = enforced;
        return this;
    }

    /// <summary>Steps of this action (in this direction, or both) stay running until <see cref="Finish"/>.</summary>
    public void Hold(string action, ActionDirection? direction = null) => _held.Add((action, direction));

    public void Fail(string action, string error) => _failing[action] = error;

    public bool IsRunning(string action) => _pending.Values.Any(s => s.Step.Name == action);

    public void Finish(string action, bool ok = true)
    {
        _held.RemoveWhere(h => h.Action == action);
        foreach (var s in _pending.Values.Where(s => s.Step.Name == action).ToList())
        {
            _pending.Remove(s.Ticket);
            _report(new StepResult(s.Ticket, ok, ok ? null : "failed", TimeSpan.Zero));
        }
    }

    /// <summary>The directions this action was run in, in order (e.g. "stop start").</summary>
    public string History(string action) =>
        string.Join(' ', Started.Where(s => s.Name == action).Select(s => s.Direction == ActionDirection.Start ? "start" : "stop"));

    public void Start(StartStep command)
    {
        Started.Add((now(), command.Step.Name, command.Step.Direction));
        if (_held.Contains((command.Step.Name, null)) || _held.Contains((command.Step.Name, command.Step.Direction)))
        {
            _pending[command.Ticket] = command;
            return;
        }
        var failed = _failing.TryGetValue(command.Step.Name, out var error);
        if (!failed) _running[command.Step.Name] = command.Step.Direction == ActionDirection.Start;
        _report(new StepResult(command.Ticket, !failed, failed ? error : null, TimeSpan.Zero));
    }

    public void Cancel(long ticket)
    {
        if (_pending.Remove(ticket, out var s)) Cancelled.Add((now(), s.Step.Name));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
