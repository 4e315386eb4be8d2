using Router.Daemon.Control;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

public sealed class SyncGroupTests
{
    [Fact]
    public void SwitchoverOfOneMemberMovesTheWholeGroupAndEveryVip()
    {
        using var pair = new TestPair(new PairOptions { SyncGroup = true });
        pair.StartAndElect();
        pair.RunUntil(() => pair.A.State("lan2") == "MASTER", TimeSpan.FromSeconds(5), "lan2 MASTER on A");
        Assert.True(pair.A.Ask(new ControlRequest("switchover", Instance: "lan2")).Ok);
        pair.RunUntil(() => pair.B.State("lan") == "MASTER" && pair.B.State("lan2") == "MASTER"
                            && !pair.A.HasVip() && !pair.A.HasVip(TestPair.Vip2),
            TimeSpan.FromSeconds(5), "the group MASTER on B, both VIPs gone from A");
        Assert.True(pair.B.HasVip() && pair.B.HasVip(TestPair.Vip2));
        // The switchover hold keeps A from preempting back although it has the higher priority.
        pair.RunFor(TimeSpan.FromSeconds(10));
        Assert.Equal("BACKUP", pair.A.State("lan"));
        Assert.Equal("BACKUP", pair.A.State("lan2"));
    }
}
