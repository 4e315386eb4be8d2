using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>The single-tunnel rule checked where it matters, at the VPS; failures carry both daemons' logs and the sessions.</summary>
public static class HaAssert
{
    /// <summary>No live session was ever pushed out, and every episode's sessions come from its one intended router.</summary>
    public static void OneRouterPerEpisode(HaLab lab, IReadOnlyList<TunnelEpisode> episodes)
    {
        var violations = TunnelEpisodes.Violations(lab.Vps.Sessions(), episodes);
        Assert.True(violations.Count == 0, $"{string.Join('\n', violations)}\n{lab.Diagnostics()}");
        NoKicks(lab);
    }

    public static void NoKicks(HaLab lab) =>
        Assert.True(lab.Vps.Kicks == 0, $"the VPS pushed out a live session {lab.Vps.Kicks} time(s): two tunnel clients at once\n{lab.Diagnostics()}");

    public static void True(bool condition, string what, HaLab lab) => Assert.True(condition, $"{what}\n{lab.Diagnostics()}");

    /// <summary>First session of the router that started at or after <paramref name="since"/>.</summary>
    public static VpsSession FirstSessionOf(HaLab lab, char router, DateTimeOffset since) =>
        lab.Vps.Sessions().FirstOrDefault(s => s.Router == router.ToString() && s.Start >= since)
        ?? throw new InvalidOperationException($"no session of {router} since {since:HH:mm:ss.fff}\n{lab.Diagnostics()}");
}
