using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// Issue 12, point 7: WAN is fenced by default (OMR routers carry the same WAN address toward the modems), so across a
/// handover and a failback the two routers' wan0 are never up at once, judged from outside by sampling `ip link`.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HaWanExclusiveTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WithTheDefaultConfigWanIsNeverUpOnBothRoutersAcrossHandoverAndFailback()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = await HaLab.CreateAsync(ct: cts.Token);
        await lab.StartAndSettleAsync(cts.Token);

        var handover = Sample(lab, newHolder: 'B', cts.Token);
        Assert.Equal(0, await lab.A.TerminateAsync(TimeSpan.FromSeconds(10)));
        await lab.WaitHoldsUplinksAsync('B', lab.SettleTimeout, cts.Token);
        var (overlaps1, samples1) = await handover.Stop();

        var failback = Sample(lab, newHolder: 'A', cts.Token);
        lab.A.Start();
        await lab.A.WaitForStateAsync("MASTER", lab.SettleTimeout, cts.Token);
        await lab.WaitHoldsUplinksAsync('A', lab.SettleTimeout, cts.Token);
        var (overlaps2, samples2) = await failback.Stop();

        output.WriteLine($"handover: {samples1} samples, {overlaps1} with both WANs up; failback: {samples2} samples, {overlaps2}");
        HaAssert.True(samples1 > 100 && samples2 > 100, "the sampler barely ran", lab);
        HaAssert.True(overlaps1 == 0 && overlaps2 == 0, $"both WANs up in {overlaps1} + {overlaps2} samples", lab);
    }

    /// <summary>
    /// Samples both wan0 states until stopped. The new holder is read first: during a move the old one only goes down
    /// and the new one only comes up, so "new up, then old still up" is a real overlap, never a read straddling a
    /// clean hand-off.
    /// </summary>
    private static WanSampler Sample(HaLab lab, char newHolder, CancellationToken ct)
    {
        var sampler = new WanSampler();
        var old = HaLab.Other(newHolder);
        sampler.Run = Task.Run(() =>
        {
            using var newWan = new LinkSampler(lab.Topology.Router(newHolder), HaTopology.WanInterface);
            using var oldWan = new LinkSampler(lab.Topology.Router(old), HaTopology.WanInterface);
            while (!sampler.Stopping && !ct.IsCancellationRequested)
            {
                var newUp = newWan.IsUp();
                var oldUp = oldWan.IsUp();
                sampler.Samples++;
                if (newUp && oldUp) sampler.Overlaps++;
            }
        }, ct);
        return sampler;
    }

    private sealed class WanSampler
    {
        public Task Run { get; set; } = Task.CompletedTask;
        public volatile bool Stopping;
        public int Samples;
        public int Overlaps;

        public async Task<(int Overlaps, int Samples)> Stop()
        {
            Stopping = true;
            await Run.ConfigureAwait(false);
            return (Overlaps, Samples);
        }
    }
}
