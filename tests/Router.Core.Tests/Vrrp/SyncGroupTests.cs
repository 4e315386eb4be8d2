using System.Net;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.InstanceSim;

namespace Router.Core.Tests.Vrrp;

public class SyncGroupTests
{
    /// <summary>Three started members (lan, wan, guest) in BACKUP, and a loop that applies Follow the way the
    /// daemon does, feeding every forced StateChanged back in until nothing moves.</summary>
    private sealed class Group
    {
        public readonly VrrpInstance Lan, Wan, Guest;
        public readonly List<VrrpInstance> Members;
        public readonly List<(string Member, VrrpCommand Command)> Log = [];

        public Group()
        {
            Lan = Make("lan", 1);
            Wan = Make("wan", 2);
            Guest = Make("guest", 3);
            Members = [Lan, Wan, Guest];
            foreach (var m in Members)
                m.Start(TimeSpan.Zero, TimeSpan.Zero);
        }

        private static VrrpInstance Make(string name, byte vrid)
            => new(Settings() with { Name = name, Vrid = vrid }, Local);

        public void Apply(VrrpInstance member, IReadOnlyList<VrrpCommand> commands, TimeSpan now)
        {
            var pending = new Queue<(VrrpInstance, IReadOnlyList<VrrpCommand>)>();
            pending.Enqueue((member, commands));
            var rounds = 0;
            while (pending.Count > 0)
            {
                Assert.True(++rounds < 50, "sync group does not converge");
                var (m, cmds) = pending.Dequeue();
                foreach (var c in cmds)
                {
                    Log.Add((m.Settings.Name, c));
                    if (c is StateChanged change)
                        foreach (var (target, state) in SyncGroup.Follow(Members, m, change))
                            pending.Enqueue((target, target.ForceState(state, $"sync group follows {m.Settings.Name}", now)));
                }
            }
        }

        public VrrpState[] States => Members.Select(m => m.State).ToArray();
    }

    [Fact]
    public void OneMemberMasterTakesTheOthersAlong()
    {
        var g = new Group();
        var now = S(3.609375);
        g.Apply(g.Lan, g.Lan.OnTimer(now), now);
        Assert.Equal([VrrpState.Master, VrrpState.Master, VrrpState.Master], g.States);
        Assert.Contains(g.Log, e => e.Member == "wan" && e.Command is AnnounceAddresses);
    }

    [Fact]
    public void OneMemberLosingMasterTakesTheOthersToBackup()
    {
        var g = new Group();
        g.Apply(g.Lan, g.Lan.ForceState(VrrpState.Master, "test", S(1)), S(1));
        g.Log.Clear();
        g.Apply(g.Wan, g.Wan.OnAdvertisement(Advert(200), Peer, S(2)), S(2));
        Assert.Equal([VrrpState.Backup, VrrpState.Backup, VrrpState.Backup], g.States);
        // Those forced down hand over with priority 0; the one that lost the election does not.
        Assert.Contains(g.Log, e => e.Member == "lan" && e.Command is SendAdvertisement { Priority: 0 });
        Assert.DoesNotContain(g.Log, e => e.Member == "wan" && e.Command is SendAdvertisement);
    }

    [Fact]
    public void FaultHoldsTheGroupUntilEveryMemberRecovers()
    {
        var g = new Group();
        g.Apply(g.Lan, g.Lan.ForceState(VrrpState.Master, "test", S(1)), S(1));
        g.Apply(g.Wan, g.Wan.SetFault(true, "wan down", S(2)), S(2));
        Assert.Equal([VrrpState.Fault, VrrpState.Fault, VrrpState.Fault], g.States);
        g.Apply(g.Guest, g.Guest.SetFault(true, "guest down", S(3)), S(3));

        // wan recovers while guest is still down: wan goes back to FAULT.
        g.Apply(g.Wan, g.Wan.SetFault(false, "wan up", S(4)), S(4));
        Assert.Equal([VrrpState.Fault, VrrpState.Fault, VrrpState.Fault], g.States);

        g.Apply(g.Guest, g.Guest.SetFault(false, "guest up", S(5)), S(5));
        Assert.Equal([VrrpState.Backup, VrrpState.Backup, VrrpState.Backup], g.States);
        Assert.All(g.Members, m => Assert.Equal(S(5 + 3.609375), m.NextDeadline));
    }

    [Fact]
    public void MembersAlreadyInTheTargetOrStoppedAreNotForced()
    {
        var g = new Group();
        g.Guest.Shutdown(S(0), handover: false);
        g.Wan.ForceState(VrrpState.Master, "test", S(0));
        var change = new StateChanged(VrrpState.Backup, VrrpState.Master, "master down");
        g.Lan.ForceState(VrrpState.Master, "test", S(0));
        Assert.Empty(SyncGroup.Follow(g.Members, g.Lan, change));
    }

    [Fact]
    public void AMemberStartingDoesNotDemoteTheGroup()
    {
        var g = new Group();
        g.Lan.ForceState(VrrpState.Master, "test", S(0));
        g.Wan.ForceState(VrrpState.Master, "test", S(0));
        g.Guest.Shutdown(S(0), handover: false);
        var cmds = g.Guest.Start(S(1), TimeSpan.Zero);
        var change = Assert.Single(cmds.OfType<StateChanged>());
        Assert.Empty(SyncGroup.Follow(g.Members, g.Guest, change));
    }

    [Fact]
    public void AMemberStartingWhileTheGroupIsInFaultJoinsTheFault()
    {
        var g = new Group();
        g.Guest.Shutdown(S(0), handover: false);
        g.Apply(g.Wan, g.Wan.SetFault(true, "wan down", S(1)), S(1));
        g.Apply(g.Guest, g.Guest.Start(S(2), TimeSpan.Zero), S(2));
        Assert.Equal([VrrpState.Fault, VrrpState.Fault, VrrpState.Fault], g.States);
    }

    [Fact]
    public void ForcedMembersDoNotCountAsFaulty()
    {
        var g = new Group();
        g.Apply(g.Lan, g.Lan.SetFault(true, "lan down", S(1)), S(1));
        Assert.False(g.Wan.IsFaulted);
        var forced = SyncGroup.Follow(g.Members, g.Lan,
            Assert.IsType<StateChanged>(Assert.Single(g.Lan.SetFault(false, "lan up", S(2)))));
        Assert.Equal([(g.Wan, VrrpState.Backup), (g.Guest, VrrpState.Backup)], forced);
    }
}
