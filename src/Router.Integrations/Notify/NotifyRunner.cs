using System.Diagnostics;
using System.Threading.Channels;
using Router.Integrations.Logging;

namespace Router.Integrations.Notify;

/// <summary>One script invocation: argv plus extra environment.</summary>
public sealed record NotifyJob(IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Runs notify scripts off the event loop, one at a time in submission order (keepalived runs them
/// concurrently, so at short advert intervals a MASTER script can finish after the BACKUP one; here
/// they cannot overtake each other). A script that outlives the timeout is killed with its process
/// tree. Enqueueing never blocks: the queue is unbounded but each job is tiny.
/// </summary>
public sealed class NotifyRunner : IAsyncDisposable
{
    private readonly Channel<NotifyJob> _jobs = Channel.CreateUnbounded<NotifyJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Log _log;
    private readonly TimeSpan _timeout;
    private readonly Task _worker;
    private readonly Action<NotifyJob, string>? _failed;

    /// <summary>failed: called on the runner's thread with the job and why (exit code, timeout, did not start).</summary>
    public NotifyRunner(Log log, TimeSpan timeout, Action<NotifyJob, string>? failed = null)
    {
        _log = log;
        _timeout = timeout;
        _failed = failed;
        _worker = Task.Run(WorkAsync);
    }

    public long Started { get; private set; }
    public long Failed { get; private set; }
    public long TimedOut { get; private set; }

    public void Enqueue(NotifyJob job) => _jobs.Writer.TryWrite(job);

    private async Task WorkAsync()
    {
        await foreach (var job in _jobs.Reader.ReadAllAsync())
        {
            try { await RunOneAsync(job); }
            catch (Exception e)
            {
                Failed++;
                _log.Warn($"notify {job.Argv[0]}: {e.Message}");
                _failed?.Invoke(job, e.Message);
            }
        }
    }

    private async Task RunOneAsync(NotifyJob job)
    {
        var psi = new ProcessStartInfo(job.Argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        for (var i = 1; i < job.Argv.Count; i++) psi.ArgumentList.Add(job.Argv[i]);
        foreach (var (k, v) in job.Environment) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("process did not start");
        Started++;
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(_timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
            if (p.ExitCode != 0)
            {
                Failed++;
                _log.Warn($"notify {job.Argv[0]} {string.Join(' ', job.Argv.Skip(1))}: exit code {p.ExitCode}");
                _failed?.Invoke(job, $"exit code {p.ExitCode}");
            }
        }
        catch (OperationCanceledException)
        {
            TimedOut++;
            _log.Warn($"notify {job.Argv[0]}: still running after {_timeout.TotalSeconds:0.#} s, killed");
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _failed?.Invoke(job, $"still running after {_timeout.TotalSeconds:0.#} s, killed");
        }
    }

    /// <summary>Lets queued scripts finish (bounded by the caller's token), then stops.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        _jobs.Writer.TryComplete();
        try { await _worker.WaitAsync(cancellationToken); }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await DrainAsync(cts.Token);
    }
}
