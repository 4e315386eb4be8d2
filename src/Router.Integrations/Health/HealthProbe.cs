using System.Diagnostics;

namespace Router.Integrations.Health;

/// <summary>One probe run: up or not, what was seen, and how long it took.</summary>
public sealed record ProbeResult(bool Ok, string Detail, TimeSpan Elapsed);

/// <summary>
/// A health probe. <see cref="RunAsync"/> never throws for what the probed thing does: a refused connection, a
/// missing process or a probe past its timeout is a failed result. The daemon schedules runs from its loop
/// (Router.Core.Health.TrackState) and feeds the result back.
/// </summary>
public abstract class HealthProbe
{
    public async Task<ProbeResult> RunAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var (ok, detail) = await CheckAsync(cts.Token).ConfigureAwait(false);
            return new ProbeResult(ok, detail, watch.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(false, $"no answer within {timeout.TotalSeconds:0.###} s", watch.Elapsed);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException
                                      or InvalidOperationException or Actions.ActionFailedException)
        {
            return new ProbeResult(false, e.Message, watch.Elapsed);
        }
    }

    protected abstract Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken);
}
