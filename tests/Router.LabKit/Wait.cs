using System.Diagnostics;

namespace Router.LabKit;

/// <summary>Bounded polling of an observable condition: the lab never sleeps a fixed time in place of a check.</summary>
public static class Wait
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what,
        Func<string>? diagnostics = null, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (condition()) return;
            if (sw.Elapsed > timeout)
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.##} s waiting for {what}"
                    + (diagnostics is null ? "" : Environment.NewLine + diagnostics()));
            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asserts a condition stays true for a whole observation window (e.g. "A stays BACKUP"): polled, and
    /// fails at the first poll where it does not hold.
    /// </summary>
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan window, string what,
        Func<string>? diagnostics = null, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < window)
        {
            if (!condition())
                throw new InvalidOperationException($"{what} stopped holding after {sw.ElapsedMilliseconds} ms"
                    + (diagnostics is null ? "" : Environment.NewLine + diagnostics()));
            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }
}
