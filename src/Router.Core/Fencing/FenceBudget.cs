using System.Globalization;
using Router.Core.Config;
using Router.Core.Roles;

namespace Router.Core.Fencing;

/// <summary>
/// How long a peer whose daemon hangs can still hold its fenced actions (tunnel, fenced WAN), which the fence window
/// must outlast: its supervisor notices the silence after <see cref="Watchdog"/>, kills the hung process within
/// <see cref="Kill"/> (procd's SIGTERM is never handled by a stuck loop, so SIGKILL comes after term_timeout),
/// restarts it within <see cref="Respawn"/>, and the restarted daemon's boot plan stops the fenced actions within
/// <see cref="Stop"/>. An upper bound for both supervisors: procd restarts a watchdog kill without the respawn delay,
/// systemd kills at once; a crash (no hang) costs only respawn + stop. Computed from this router's own config, on the
/// assumption that the pair is configured alike (the peer's figures never travel over the wire).
/// </summary>
public sealed record FenceBudget(TimeSpan Watchdog, TimeSpan Kill, TimeSpan Respawn, TimeSpan Stop)
{
    public TimeSpan Required => Watchdog + Kill + Respawn + Stop;

    public static FenceBudget Of(RouterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var g = config.Global;
        // The boot plan stops fenced actions one after another, each through all its attempts in the worst case.
        var stop = config.Actions.Where(a => a.Fenced).Aggregate(TimeSpan.Zero, (sum, a) => sum + StopTimeout(a));
        return new FenceBudget(g.Watchdog, g.TermTimeout, g.RespawnDelay, stop);
    }

    /// <summary>
    /// The longest one action's stop can take: every attempt runs into its timeout and every retry waits its backoff,
    /// timeout x (retries + 1) + the sum of retry_delay x 2^(k-1) (each capped at 60 s) for k = 1..retries.
    /// </summary>
    public static TimeSpan StopTimeout(ActionConfig action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var total = action.Timeout * (action.Retries + 1);
        for (var k = 1; k <= action.Retries; k++) total += PlanRunner.Backoff(action.RetryDelay, k);
        return total;
    }

    /// <summary>"watchdog 10 s + kill 15 s + respawn 5 s + stop 32 s = 62 s".</summary>
    public string Explain() =>
        $"watchdog {S(Watchdog)} + kill {S(Kill)} + respawn {S(Respawn)} + stop {S(Stop)} = {S(Required)}";

    /// <summary>One line per peer whose fence window is too short, and one when no watchdog bounds a hang at all.</summary>
    public static IReadOnlyList<string> Warnings(RouterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var warnings = new List<string>();
        if (config.Peers.Count == 0 || !config.Actions.Any(a => a.Fenced)) return warnings;
        var budget = Of(config);
        if (budget.Watchdog == TimeSpan.Zero)
            warnings.Add("watchdog is 0 (off): a peer whose daemon hangs keeps its fenced actions for ever, no fence_window covers that");
        foreach (var peer in config.Peers.Where(p => p.FenceWindow < budget.Required))
            warnings.Add($"peer '{peer.Name}': fence_window {S(peer.FenceWindow)} is shorter than what a hung peer may hold its fenced actions, " +
                         $"{budget.Explain()} (the peer assumed configured like this router): raise fence_window to at least {S(budget.Required)} " +
                         "or lower watchdog / term_timeout / respawn_delay / the fenced actions' timeout and retries");
        return warnings;
    }

    public static string S(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
