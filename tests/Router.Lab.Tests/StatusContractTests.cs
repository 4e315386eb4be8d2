using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>The lab reads `routerha status --json` by the documented field names; a renamed field must show up here, not as a hung wait.</summary>
public sealed class StatusContractTests
{
    private const string Documented = """
        {"node":"r1","pid":42,"instances":[{"name":"lan","vrid":51,"version":3,"family":"ipv4","interface":"lan0",
        "state":"BACKUP","priority":150,"effective_priority":140,"master":"10.0.0.2","master_priority":200,
        "advert_interval_ms":100,"master_down_interval_ms":361,"vips":["10.77.0.1/24"],"vips_present":false,
        "maintenance":true,"counters":{"adverts_sent":7,"adverts_received":9,"became_master":2,"drops":{"BadTtl":3}},
        "transitions":[{"at":"2026-11-21T10:00:00Z","from":"MASTER","to":"BACKUP","reason":"higher priority advert"}]}]}
        """;

    [Fact]
    public void DocumentedStatusJsonMapsToEveryField()
    {
        var s = RouterHaStatus.Parse(Documented);
        Assert.Equal(("r1", 42), (s.Node, s.Pid));
        var i = Assert.Single(s.Instances);
        Assert.Equal(("lan", 51, 3, "ipv4", "lan0", "BACKUP"), (i.Name, i.Vrid, i.Version, i.Family, i.Interface, i.State));
        Assert.Equal((150, 140, "10.0.0.2", 200), (i.Priority, i.EffectivePriority, i.Master, i.MasterPriority));
        Assert.Equal((100.0, 361.0, false, true), (i.AdvertIntervalMs, i.MasterDownIntervalMs, i.VipsPresent, i.Maintenance));
        Assert.Equal(["10.77.0.1/24"], i.Vips);
        Assert.Equal((7L, 9L, 2L), (i.Counters.AdvertsSent, i.Counters.AdvertsReceived, i.Counters.BecameMaster));
        Assert.Equal(3, i.Counters.Drops["BadTtl"]);
        var t = Assert.Single(i.Transitions);
        Assert.Equal(("MASTER", "BACKUP", "higher priority advert"), (t.From, t.To, t.Reason));
    }
}
