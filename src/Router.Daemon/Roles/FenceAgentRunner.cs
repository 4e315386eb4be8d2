using Router.Integrations.Actions;

namespace Router.Daemon.Roles;

/// <summary>How one run of the fencing agent ended: Ok is exit code 0; Detail says what happened, for status.</summary>
internal sealed record FenceAgentResult(long Ticket, bool Ok, string Detail);

/// <summary>Runs the fencing agent off the loop; the result comes back through the callback, from any thread.</summary>
internal interface IFenceAgentRunner : IDisposable
{
    void Start(long ticket, TimeSpan timeout, IReadOnlyDictionary<string, string> environment);

    /// <summary>Kills the run with this ticket (and its process tree); it still reports, and the loop ignores that.</summary>
    void Cancel(long ticket);
}

/// <summary>
/// `fence_command` as a process, without a shell (argv split like notify scripts). The coordinator decides timeouts
/// on the loop's clock and cancels; the process's own limit, a little later, only guards against a loop that is gone.
/// </summary>
internal sealed class FenceAgentProcess(IReadOnlyList<string> argv, Action<FenceAgentResult> report) : IFenceAgentRunner
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);
    private readonly CommandRunner _runner = new();
    private readonly Dictionary<long, CancellationTokenSource> _runs = [];

    public void Start(long ticket, TimeSpan timeout, IReadOnlyDictionary<string, string> environment)
    {
        var cancel = new CancellationTokenSource(timeout + Grace);
        lock (_runs) _runs[ticket] = cancel;
        _ = Task.Run(async () =>
        {
            FenceAgentResult result;
            try
            {
                var r = await _runner.RunAsync(argv, environment, cancel.Token).ConfigureAwait(false);
                result = new FenceAgentResult(ticket, r.ExitCode == 0, $"exit code {r.ExitCode}" + (r.Output.Length > 0 ? $": {r.Output}" : ""));
            }
            catch (OperationCanceledException)
            {
                result = new FenceAgentResult(ticket, false, "killed");
            }
            catch (Exception e)
            {
                result = new FenceAgentResult(ticket, false, e.Message);
            }
            lock (_runs) _runs.Remove(ticket);
            cancel.Dispose();
            report(result);
        });
    }

    public void Cancel(long ticket)
    {
        lock (_runs)
            if (_runs.TryGetValue(ticket, out var c)) c.Cancel();
    }

    public void Dispose()
    {
        lock (_runs)
            foreach (var c in _runs.Values) c.Cancel();
    }
}

/// <summary>The agent's outcomes as status, MQTT and the fence_agent event name them.</summary>
internal static class FenceAgentNames
{
    public static string Of(Router.Core.Fencing.FenceAgentOutcome o) => o switch
    {
        Router.Core.Fencing.FenceAgentOutcome.TimedOut => "timeout",
        _ => o.ToString().ToLowerInvariant(),
    };
}
