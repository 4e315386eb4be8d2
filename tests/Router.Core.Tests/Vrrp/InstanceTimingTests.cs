using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class InstanceTimingTests
{
    [Theory]
    // 3 * 1 s + 156/256 s
    [InlineData(100, 1.0, 36_093_750)]
    // 3 * 10 ms + 156/256 * 10 ms = 36.09375 ms, truncated to the 100 ns tick
    [InlineData(100, 0.01, 360_937)]
    // 3 * 100 ms + 156/256 * 100 ms
    [InlineData(100, 0.1, 3_609_375)]
    // 3 * 1 s + 2/256 s
    [InlineData(254, 1.0, 30_078_125)]
    public void V3MasterDownIntervalFollowsRfc5798(byte priority, double advert, long expectedTicks)
    {
        var inst = new VrrpInstance(Settings(priority, advert), Local);
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), inst.MasterDownInterval);
        Assert.Equal(TimeSpan.FromTicks(expectedTicks) - 3 * S(advert), inst.SkewTime);
    }

    [Fact]
    public void V2SkewIsIndependentOfTheAdvertInterval()
    {
        var inst = new VrrpInstance(Settings(100, 3, VrrpVersion.V2), Local);
        Assert.Equal(S(0.609375), inst.SkewTime);
        Assert.Equal(S(9.609375), inst.MasterDownInterval);
        // v3 with the same numbers scales the skew with the interval.
        Assert.Equal(S(9 + 3 * 0.609375), new VrrpInstance(Settings(100, 3), Local).MasterDownInterval);
    }

    [Fact]
    public void V2BackupTakesOverAfterRfc3768Interval()
    {
        var sim = new InstanceSim(Settings(100, 3, VrrpVersion.V2));
        sim.Start();
        sim.Receive(S(1), Advert(200, 300, VrrpVersion.V2));
        sim.RunUntil(S(20));
        Assert.Equal(S(1 + 9.609375), sim.BecameMasterAt());
    }

    [Fact]
    public void V3BackupLearnsTheMastersInterval()
    {
        var sim = new InstanceSim(Settings(100, 1));
        sim.Start();
        sim.Receive(S(1), Advert(200, intervalCs: 50));
        Assert.Equal(S(0.5), sim.Instance.MasterAdvertInterval);
        // 3 * 0.5 + 156/256 * 0.5
        Assert.Equal(S(1.8046875), sim.Instance.MasterDownInterval);
        Assert.Equal(S(1 + 1.8046875), sim.Instance.NextDeadline);
        sim.RunUntil(S(10));
        Assert.Equal(S(2.8046875), sim.BecameMasterAt());
        // As master it advertises its own interval again.
        Assert.Equal(S(1), sim.Instance.MasterAdvertInterval);
    }

    [Fact]
    public void V2BackupKeepsItsOwnInterval()
    {
        var sim = new InstanceSim(Settings(100, 1, VrrpVersion.V2));
        sim.Start();
        sim.Receive(S(1), Advert(200, intervalCs: 300, VrrpVersion.V2));
        Assert.Equal(S(1), sim.Instance.MasterAdvertInterval);
        Assert.Equal(S(1 + 3.609375), sim.Instance.NextDeadline);
    }

    [Fact]
    public void AddressesCompareAsUnsignedNumbers()
    {
        Assert.True(VrrpTiming.CompareAddresses(IPAddress.Parse("10.0.0.10"), IPAddress.Parse("10.0.0.9")) > 0);
        Assert.True(VrrpTiming.CompareAddresses(IPAddress.Parse("10.0.0.200"), IPAddress.Parse("10.0.0.100")) > 0);
        Assert.True(VrrpTiming.CompareAddresses(IPAddress.Parse("fe80::2"), IPAddress.Parse("fe80::1")) > 0);
        Assert.Equal(0, VrrpTiming.CompareAddresses(IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.1")));
    }
}
