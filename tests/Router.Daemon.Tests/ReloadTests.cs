using Router.Daemon.Control;
using Router.Daemon.Tests.Kit;

namespace Router.Daemon.Tests;

public sealed class ReloadTests
{
    [Fact]
    public void ReloadWithOnlyANotifyScriptChangedKeepsTheMasterAndItsPlan()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        var steps = pair.A.Steps.Started.Count;
        var transitions = pair.A.Status().Instances[0].Transitions.Count;
        var text = File.ReadAllText(pair.A.ConfigPath);
        File.WriteAllText(pair.A.ConfigPath, text.Replace($"list vip '{TestPair.Vip}/24'", $"list vip '{TestPair.Vip}/24'\n\toption notify_master '/bin/true'"));
        var reply = pair.A.Ask(new ControlRequest("reload"));
        Assert.True(reply.Ok, reply.Error);
        Assert.Contains("1 unchanged", reply.Message);
        pair.RunFor(TimeSpan.FromSeconds(10));
        Assert.Equal("MASTER", pair.A.State());
        Assert.Equal(transitions, pair.A.Status().Instances[0].Transitions.Count);
        Assert.Equal(steps, pair.A.Steps.Started.Count);
        Assert.True(pair.A.HasVip());
    }

    [Fact]
    public void ABrokenFileIsRefusedAndTheRunningConfigStays()
    {
        using var pair = new TestPair();
        pair.StartAndElect();
        File.AppendAllText(pair.A.ConfigPath, "\nconfig instance 'broken'\n\toption vrid '999'\n");
        var reply = pair.A.Ask(new ControlRequest("reload"));
        Assert.False(reply.Ok);
        Assert.Contains("reload refused", reply.Error);
        pair.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal("MASTER", pair.A.State());
        Assert.Single(pair.A.Status().Instances);
    }
}
