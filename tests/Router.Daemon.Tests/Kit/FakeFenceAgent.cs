using Router.Daemon.Roles;

namespace Router.Daemon.Tests.Kit;

/// <summary>The fencing agent of one router: records each run and answers at once with <see cref="ExitOk"/>, unless
/// the test holds it (then it ends on <see cref="Finish"/> or is killed).</summary>
internal sealed class FakeFenceAgent(Func<TimeSpan> now) : IFenceAgentRunner
{
    private Action<FenceAgentResult> _report = _ => { };
    private long? _held;

    public bool ExitOk { get; set; } = true;

    public bool Hold { get; set; }

    public List<(TimeSpan At, IReadOnlyDictionary<string, string> Environment)> Runs { get; } = [];

    public List<long> Killed { get; } = [];

    public IFenceAgentRunner Attach(Action<FenceAgentResult> report)
    {
        _report = report;
        return this;
    }

    public void Start(long ticket, TimeSpan timeout, IReadOnlyDictionary<string, string> environment)
    {
        Runs.Add((now(), environment));
        if (Hold) _held = ticket;
        else _report(new FenceAgentResult(ticket, ExitOk, ExitOk ? "exit code 0" : "exit code 1"));
    }

    public void Finish(bool ok)
    {
        if (_held is { } t) _report(new FenceAgentResult(t, ok, ok ? "exit code 0" : "exit code 1"));
        _held = null;
    }

    public void Cancel(long ticket)
    {
        Killed.Add(ticket);
        if (_held == ticket) _held = null;
    }

    public void Dispose() { }
}
