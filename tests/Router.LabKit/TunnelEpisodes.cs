namespace Router.LabKit;

/// <summary>A stretch of a scenario with one intended tunnel owner, from <see cref="Start"/> to the next episode's start.</summary>
public sealed record TunnelEpisode(string Name, DateTimeOffset Start, string ExpectedRouter);

/// <summary>
/// The single-client rule as the VPS sees it: within one episode every session comes from one router, the intended
/// one. Two routers in one episode is what a second tunnel client looks like from the server (each pushes the other
/// out in turn), whatever each router's own status claims.
/// </summary>
public static class TunnelEpisodes
{
    /// <summary>Human-readable violations, empty when the history is clean. Sessions before the first episode are not judged.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyList<VpsSession> sessions, IReadOnlyList<TunnelEpisode> episodes)
    {
        var problems = new List<string>();
        for (var i = 0; i < episodes.Count; i++)
        {
            var e = episodes[i];
            var end = i + 1 < episodes.Count ? episodes[i + 1].Start : DateTimeOffset.MaxValue;
            var inside = sessions.Where(s => s.Start >= e.Start && s.Start < end).ToList();
            var routers = inside.Select(s => s.Router).Distinct().ToList();
            if (routers.Count > 1)
                problems.Add($"episode '{e.Name}': the VPS saw {string.Join(" and ", routers)}: {string.Join("; ", inside)}");
            else if (routers.Count == 1 && routers[0] != e.ExpectedRouter)
                problems.Add($"episode '{e.Name}': the VPS saw {routers[0]}, expected {e.ExpectedRouter}: {string.Join("; ", inside)}");
        }
        return problems;
    }
}
