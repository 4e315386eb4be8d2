using System.Diagnostics;
using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// Issue 3's series: 20 failovers, and the VPS never sees two routers within one episode. Each round is two failovers:
/// the master goes (SIGTERM on even rounds; power loss on odd ones, which costs the fence window) and comes back to
/// preempt. 5 crash rounds x ~3 s + 5 graceful rounds x ~1.5 s keep the test well under two minutes.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaFailoverSeriesTests(ITestOutputHelper output)
{
    private const int Failovers = 20;

    [Fact]
    public async Task TwentyFailoversNeverPutTwoRoutersOnTheVps()
    {
        using var cts = LabAssert.Budget(150);
        using var lab = await HaLab.CreateAsync(ct: cts.Token);
        await lab.StartAndSettleAsync(cts.Token);
        var episodes = new List<TunnelEpisode> { new("settled", DateTimeOffset.UtcNow, "A") };
        var clock = Stopwatch.StartNew();

        for (var round = 0; round < Failovers / 2; round++)
        {
            var crash = round % 2 == 1;
            var how = crash ? "power loss" : "SIGTERM";
            episodes.Add(new TunnelEpisode($"round {round}: A {how}", DateTimeOffset.UtcNow, "B"));
            if (crash) await lab.PowerLossAsync('A', cts.Token);
            else Assert.Equal(0, await lab.A.TerminateAsync(TimeSpan.FromSeconds(10)));
            await lab.WaitHoldsUplinksAsync('B', crash ? lab.FencedTakeoverTimeout : lab.SettleTimeout, cts.Token);

            episodes.Add(new TunnelEpisode($"round {round}: A back", DateTimeOffset.UtcNow, "A"));
            lab.A.Start();
            await lab.A.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
            await lab.WaitHoldsUplinksAsync('A', lab.SettleTimeout, cts.Token);
        }

        output.WriteLine($"{Failovers} failovers in {clock.Elapsed.TotalSeconds:0.0} s; {lab.Vps.Sessions().Count} tunnel sessions at the VPS");
        Assert.Equal(Failovers, lab.Vps.Sessions().Count(s => s.Start >= episodes[0].Start));
        HaAssert.OneRouterPerEpisode(lab, episodes);
    }
}
