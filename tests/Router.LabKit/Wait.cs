using System.Diagnostics;

namespace Router.LabKit;

/// <summary>
/// Bounded polling of an observable condition: the lab never sleeps a fixed time in place of a check. The one
/// wait helper of every test project: a timeout names what was awaited and shows the diagnostics, so a failure
/// says what did not happen and the state it was left in.
/// </summary>
public static class Wait
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what,
        Func<string>? diagnostics = null, CancellationToken ct = default) =>
        ForAsync(() => Task.FromResult(condition()), done => done, timeout, what, Describe<bool>(diagnostics), ct: ct);

    /// <summary>
    /// Samples until a sample satisfies <paramref name="done"/>, and returns that sample: for conditions that are
    /// themselves asynchronous or costly (a console command, a probe), whose result the caller wants to keep.
    /// </summary>
    /// <param name="describe">the last sample as shown in the timeout message</param>
    /// <param name="interval">pause between samples; costly samples want a longer one than <see cref="PollInterval"/></param>
    public static async Task<T> ForAsync<T>(Func<Task<T>> sample, Func<T, bool> done, TimeSpan timeout, string what,
        Func<T, string>? describe = null, TimeSpan? interval = null, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var value = await sample().ConfigureAwait(false);
            if (done(value)) return value;
            if (sw.Elapsed > timeout) throw TimedOut(timeout, what, describe?.Invoke(value));
            await Task.Delay(interval ?? PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>For synchronous tests and constructors: blocks the calling thread between samples.</summary>
    public static void Until(Func<bool> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null) =>
        For(condition, done => done, timeout, what, Describe<bool>(diagnostics));

    /// <inheritdoc cref="ForAsync{T}"/>
    public static T For<T>(Func<T> sample, Func<T, bool> done, TimeSpan timeout, string what,
        Func<T, string>? describe = null, TimeSpan? interval = null)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var value = sample();
            if (done(value)) return value;
            if (sw.Elapsed > timeout) throw TimedOut(timeout, what, describe?.Invoke(value));
            Thread.Sleep(interval ?? PollInterval);
        }
    }

    /// <summary>
    /// Asserts a condition stays true for a whole observation window (e.g. "A stays BACKUP"): polled, and
    /// fails at the first poll where it does not hold.
    /// </summary>
    public static Task HoldsAsync(Func<bool> condition, TimeSpan window, string what,
        Func<string>? diagnostics = null, CancellationToken ct = default) =>
        HoldsAsync(() => Task.FromResult(condition()), holds => holds, window, what, Describe<bool>(diagnostics), ct: ct);

    /// <inheritdoc cref="HoldsAsync(Func{bool}, TimeSpan, string, Func{string}?, CancellationToken)"/>
    /// <param name="describe">the sample that broke the condition, as shown in the failure message</param>
    public static async Task HoldsAsync<T>(Func<Task<T>> sample, Func<T, bool> holds, TimeSpan window, string what,
        Func<T, string>? describe = null, TimeSpan? interval = null, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < window)
        {
            var value = await sample().ConfigureAwait(false);
            if (!holds(value))
                throw new InvalidOperationException($"{what} stopped holding after {sw.ElapsedMilliseconds} ms"
                    + (describe is null ? "" : Environment.NewLine + describe(value)));
            await Task.Delay(interval ?? PollInterval, ct).ConfigureAwait(false);
        }
    }

    private static Func<T, string>? Describe<T>(Func<string>? diagnostics) =>
        diagnostics is null ? null : _ => diagnostics();

    private static TimeoutException TimedOut(TimeSpan timeout, string what, string? diagnostics) =>
        new($"timed out after {timeout.TotalSeconds:0.##} s waiting for {what}"
            + (diagnostics is null ? "" : Environment.NewLine + diagnostics));
}
