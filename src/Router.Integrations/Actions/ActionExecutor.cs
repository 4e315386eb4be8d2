using System.Diagnostics;
using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>The end of one attempt, to hand back to <see cref="PlanRunner.StepFinished"/> on the event loop.</summary>
public sealed record StepResult(long Ticket, bool Ok, string? Error, TimeSpan Elapsed);

/// <summary>The end of one enforcement check or correction, for <see cref="RoleCoordinator.OnEnforcementResult"/>.
/// Drift: what a check found out of state (empty when in state, or after a correction).</summary>
public sealed record EnforcementResult(long Ticket, bool Ok, IReadOnlyList<string> Drift, string? Error, TimeSpan Elapsed);

/// <summary>Runs plan steps off the event loop and reports each end (the seam the daemon's tests replace).</summary>
public interface IStepRunner : IAsyncDisposable
{
    void Start(StartStep command);

    /// <summary>Kills the attempt; its result is not reported.</summary>
    void Cancel(long ticket);

    /// <summary>The actions whose backend can read its state back (<see cref="IDriftCheckedAction"/>).</summary>
    IReadOnlyCollection<string> DriftChecked => [];

    /// <summary>Runs an enforcement check or correction in the same serial queue as the steps.</summary>
    void Enforce(EnforcementWork work) => throw new NotSupportedException("this runner has no drift-checked actions");

    /// <summary>Kills an enforcement check or correction; its result is not reported.</summary>
    void CancelEnforcement(long ticket) { }
}

/// <summary>
/// Runs the PlanRunner's StartStep commands off the event loop, one at a time: a step starts only after the
/// previous one has ended, also when that one was cancelled, so a superseded "tunnel start" is dead before
/// "tunnel stop" runs. Each attempt is also bounded by its step's timeout here. Results go to
/// <c>report</c> (called on a pool thread: post them into the loop). Fence steps are not run here.
/// Enforcement checks and corrections join the same queue (results to <c>reportEnforcement</c>), so a check never
/// reads an action while a plan step changes it.
/// </summary>
public sealed class ActionExecutor(IReadOnlyDictionary<string, IRoleAction> actions, Action<StepResult> report,
    Action<EnforcementResult>? reportEnforcement = null) : IStepRunner
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, CancellationTokenSource> _running = [];
    private readonly Dictionary<long, CancellationTokenSource> _enforcing = [];
    private readonly CancellationTokenSource _disposed = new();
    private Task _tail = Task.CompletedTask;

    public void Start(StartStep command)
    {
        if (command.Step.Phase == StepPhase.Fence)
            throw new ArgumentException("the fence check is answered by the fencing logic, not by an action backend", nameof(command));
        if (!actions.TryGetValue(command.Step.Name, out var action))
        {
            report(new StepResult(command.Ticket, false, $"no backend for action '{command.Step.Name}'", TimeSpan.Zero));
            return;
        }
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        if (command.Step.Timeout is { } timeout) cts.CancelAfter(timeout);
        var context = new ActionContext(command.Step.Name, command.Target, command.Step.Direction, command.Reason, command.Step.Timeout);
        lock (_lock)
        {
            _running[command.Ticket] = cts;
            var previous = _tail;
            _tail = RunAfterAsync(previous, command.Ticket, action, context, cts);
        }
    }

    /// <summary>Kills the attempt (whether it is running or still queued). Its result is not reported.</summary>
    public void Cancel(long ticket)
    {
        lock (_lock)
        {
            if (_running.Remove(ticket, out var cts)) cts.Cancel();
        }
    }

    public IReadOnlyCollection<string> DriftChecked
    {
        get
        {
            // A loop, not LINQ over the KeyValuePair struct (binary size: toolchain/README.md, "Size options").
            var names = new List<string>();
            foreach (var (name, action) in actions)
            {
                if (action is IDriftCheckedAction) names.Add(name);
            }
            return names;
        }
    }

    public void Enforce(EnforcementWork work)
    {
        if (!actions.TryGetValue(work.Action, out var action) || (!work.Correct && action is not IDriftCheckedAction))
        {
            reportEnforcement?.Invoke(new EnforcementResult(work.Ticket, false, [], $"action '{work.Action}' has no drift check", TimeSpan.Zero));
            return;
        }
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        if (work.Timeout is { } timeout) cts.CancelAfter(timeout);
        var context = new ActionContext(work.Action, work.Target, work.Direction, work.Reason, work.Timeout);
        lock (_lock)
        {
            _enforcing[work.Ticket] = cts;
            var previous = _tail;
            _tail = EnforceAfterAsync(previous, work, action, context, cts);
        }
    }

    public void CancelEnforcement(long ticket)
    {
        lock (_lock)
        {
            if (_enforcing.Remove(ticket, out var cts)) cts.Cancel();
        }
    }

    /// <summary>Completes when every started step has ended.</summary>
    public Task Idle { get { lock (_lock) return _tail; } }

    private async Task RunAfterAsync(Task previous, long ticket, IRoleAction action, ActionContext context, CancellationTokenSource cts)
    {
        await previous.ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        StepResult result;
        try
        {
            cts.Token.ThrowIfCancellationRequested();
            await action.RunAsync(context, cts.Token).ConfigureAwait(false);
            result = new StepResult(ticket, true, null, watch.Elapsed);
        }
        catch (OperationCanceledException)
        {
            // Cancel() unregisters first, so a result reported from here is the timeout or shutdown.
            result = new StepResult(ticket, false, _disposed.IsCancellationRequested ? "cancelled: shutting down"
                : $"killed after the timeout of {context.Timeout?.TotalSeconds:0.###} s", watch.Elapsed);
        }
        catch (Exception e) when (e is ActionFailedException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            result = new StepResult(ticket, false, e.Message, watch.Elapsed);
        }
        bool wanted;
        lock (_lock) wanted = _running.Remove(ticket);
        cts.Dispose();
        if (wanted) report(result);
    }

    private async Task EnforceAfterAsync(Task previous, EnforcementWork work, IRoleAction action, ActionContext context, CancellationTokenSource cts)
    {
        await previous.ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        EnforcementResult result;
        try
        {
            cts.Token.ThrowIfCancellationRequested();
            IReadOnlyList<string> drift = [];
            if (work.Correct) await action.RunAsync(context, cts.Token).ConfigureAwait(false);
            else drift = await ((IDriftCheckedAction)action).DriftAsync(context, cts.Token).ConfigureAwait(false);
            result = new EnforcementResult(work.Ticket, true, drift, null, watch.Elapsed);
        }
        catch (OperationCanceledException)
        {
            result = new EnforcementResult(work.Ticket, false, [], _disposed.IsCancellationRequested ? "cancelled: shutting down"
                : $"killed after the timeout of {context.Timeout?.TotalSeconds:0.###} s", watch.Elapsed);
        }
        catch (Exception e) when (e is ActionFailedException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            result = new EnforcementResult(work.Ticket, false, [], e.Message, watch.Elapsed);
        }
        bool wanted;
        lock (_lock) wanted = _enforcing.Remove(work.Ticket);
        cts.Dispose();
        if (wanted) reportEnforcement?.Invoke(result);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        await Idle.ConfigureAwait(false);
        _disposed.Dispose();
    }
}
