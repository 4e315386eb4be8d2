using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>The single-tunnel rule checked where it matters, at the VPS; failures carry both daemons' logs and the sessions.</summary>
public static class HaAssert
{
    /// <summary>Every episode's sessions come from its one intended router, and no live client was ever pushed out.</summary>
    public static void OneRouterPerEpisode(HaLab lab, IReadOnlyList<TunnelEpisode> episodes)
    {
        var violations = TunnelEpisodes.Violations(lab.Vps.Sessions(), episodes);
        Assert.True(violations.Count == 0, $"{string.Join('\n', violations)}\n{lab.Diagnostics()}");
        NoLiveClientPushedOut(lab);
    }

    /// <summary>
    /// Judged by the clients: the VPS also replaces a session whose client died behind a cut line (it never saw the
    /// FIN), which is no second client; a live client pushed out is one.
    /// </summary>
    public static void NoLiveClientPushedOut(HaLab lab)
    {
        var (a, b) = (lab.Tunnel('A').PushedOut, lab.Tunnel('B').PushedOut);
        Assert.True(a + b == 0, $"live tunnel clients pushed out by the other router: A {a} time(s), B {b} time(s)\n{lab.Diagnostics()}");
    }

    public static void True(bool condition, string what, HaLab lab) => Assert.True(condition, $"{what}\n{lab.Diagnostics()}");

    /// <summary>First session of the router that started at or after <paramref name="since"/>.</summary>
    public static VpsSession FirstSessionOf(HaLab lab, char router, DateTimeOffset since) =>
        lab.Vps.Sessions().FirstOrDefault(s => s.Router == router.ToString() && s.Start >= since)
        ?? throw new InvalidOperationException($"no session of {router} since {since:HH:mm:ss.fff}\n{lab.Diagnostics()}");
}
