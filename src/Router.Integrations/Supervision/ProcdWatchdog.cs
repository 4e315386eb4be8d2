using System.Globalization;
using System.Text.Json;
using Router.Integrations.Actions;

namespace Router.Integrations.Supervision;

/// <summary>
/// What the init script tells the daemon about procd's instance watchdog (`procd_set_param watchdog 1 SECONDS`):
/// procd has no environment of its own for this, so the script passes the service, instance and timeout it set.
/// </summary>
public sealed record ProcdEnvironment(string Service, string Instance, TimeSpan? Watchdog, string? Note)
{
    public const string ServiceVariable = "ROUTERHA_PROCD_SERVICE";
    public const string InstanceVariable = "ROUTERHA_PROCD_INSTANCE";
    public const string WatchdogVariable = "ROUTERHA_PROCD_WATCHDOG";

    /// <summary>Null when the service or instance is not given: not started by our init script.</summary>
    public static ProcdEnvironment? Parse(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (env(ServiceVariable) is not { Length: > 0 } service || env(InstanceVariable) is not { Length: > 0 } instance) return null;
        var text = env(WatchdogVariable);
        if (text is null or "0") return new(service, instance, null, null);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return new(service, instance, null, $"{WatchdogVariable} '{text}' is not whole seconds: no watchdog pings");
        return new(service, instance, TimeSpan.FromSeconds(seconds), null);
    }
}

/// <summary>
/// procd's instance watchdog, reset with `ubus call service watchdog {"name":..,"instance":..}` (procd's
/// service_handle_watchdog re-arms the instance's timer). ubus is a process, so the call runs off the loop; a call still
/// running when the next ping is due is reported instead of doubled, and one that takes longer than the ping interval is
/// killed (a ping that late would be worthless anyway).
/// </summary>
public sealed class ProcdWatchdog(ProcdEnvironment environment, CommandRunner runner) : IServiceWatchdog
{
    private int _inFlight;

    public string Supervisor => $"procd instance {environment.Service}/{environment.Instance}";

    public TimeSpan? Timeout => environment.Watchdog;

    /// <summary>The argv of one ping; only "name" and "instance": setting "mode" or "timeout" would make procd treat the
    /// watchdog as self-managed and keep it over a changed init script.</summary>
    public IReadOnlyList<string> Command =>
        ["ubus", "call", "service", "watchdog",
         $"{{\"name\":\"{JsonEncodedText.Encode(environment.Service)}\",\"instance\":\"{JsonEncodedText.Encode(environment.Instance)}\"}}"];

    public void Ready() { }

    public void Stopping() { }

    public void Ping(Action<string?> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        if (Interlocked.Exchange(ref _inFlight, 1) == 1)
        {
            done("the previous ubus call is still running");
            return;
        }
        var limit = (Timeout ?? TimeSpan.FromSeconds(10)) / 2;
        _ = Task.Run(async () =>
        {
            string? error;
            using var cts = new CancellationTokenSource(limit);
            try
            {
                var r = await runner.RunAsync(Command, null, cts.Token).ConfigureAwait(false);
                error = r.ExitCode == 0 ? null : $"ubus call service watchdog exited {r.ExitCode}: {r.Output.Trim()}";
            }
            catch (OperationCanceledException)
            {
                error = $"ubus call service watchdog took longer than {limit.TotalSeconds:0.###} s";
            }
            catch (Exception e) when (e is ActionFailedException or IOException or InvalidOperationException)
            {
                error = $"ubus call service watchdog: {e.Message}";
            }
            Volatile.Write(ref _inFlight, 0);
            done(error);
        });
    }

    public void Dispose() { }
}
