using Router.Core.Leases;

namespace Router.Store.Tests;

/// <summary>The count behind the MQTT status' lease_count: live leases only.</summary>
public class LeaseCountTests : StoreFixture
{
    [Fact]
    public void DeletedAndExpiredLeasesDoNotCountAndAnInfiniteOneAlwaysDoes()
    {
        var clock = new HybridClock();
        using var store = Open();
        Assert.Equal(0, store.CountActive(T0));
        store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:01", "192.168.1.10", expires: T0.ToUnixTimeSeconds() + 600), clock, "a", T0);
        store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:02", "192.168.1.11", expires: T0.ToUnixTimeSeconds() + 60), clock, "a", T0);
        store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:03", "192.168.1.12", expires: 0), clock, "a", T0);
        store.RecordLocal(Event(LeaseAction.Add, "02:00:00:00:00:04", "192.168.1.13", expires: T0.ToUnixTimeSeconds() + 600), clock, "a", T0);
        store.RecordLocal(Event(LeaseAction.Del, "02:00:00:00:00:04", "192.168.1.13"), clock, "a", T0);

        Assert.Equal(3, store.CountActive(T0));
        Assert.Equal(2, store.CountActive(T0.AddSeconds(60)));
        Assert.Equal(1, store.CountActive(T0.AddHours(1)));
    }
}
