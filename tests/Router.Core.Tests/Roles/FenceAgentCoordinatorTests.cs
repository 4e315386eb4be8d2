using System.Net;
using Router.Core.Fencing;
using Router.Core.Roles;

namespace Router.Core.Tests.Roles;

/// <summary>The fencing agent (`fence_command`) as the role coordinator decides it: A (150) loses B (100) on every
/// path, becomes MASTER and waits at the fence gate; the agent's result is fed back by hand on a fake clock.</summary>
public class FenceAgentCoordinatorTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static readonly TimeSpan AgentTimeout = S(3);

    /// <summary>WAN and tunnel fenced (the OMR default), DHCP not.</summary>
    internal static readonly IReadOnlyList<ActionSpec> Omr =
    [
        new ActionSpec { Name = "wan", Phase = StepPhase.Wan, Order = 10, Fenced = true, Retries = 0 },
        new ActionSpec { Name = "vpn", Phase = StepPhase.Tunnel, Order = 20, Fenced = true, Retries = 0 },
        new ActionSpec { Name = "dhcp", Phase = StepPhase.Dhcp, Order = 30, Retries = 0 },
    ];

    internal static RoleCoordinator NewRouter(string address, byte priority, TimeSpan? agentTimeout) =>
        new(new RoleCoordinatorSettings { Actions = Omr, FenceAgentTimeout = agentTimeout },
            new TunnelFence(new FenceSettings { Paths = ["lan"], SilenceWindow = S(10), PeerAliveWindow = S(3) },
                (ulong)address.GetHashCode(), IPAddress.Parse(address), priority, TimeSpan.Zero), priority);

    /// <summary>Answers every RunStep with success; returns the steps that ran, in order, and every other command.</summary>
    internal static List<string> Complete(RoleCoordinator c, IReadOnlyList<RoleCommand> commands, TimeSpan now, List<RoleCommand>? seen = null)
    {
        var ran = new List<string>();
        var pending = new Queue<RoleCommand>(commands);
        while (pending.TryDequeue(out var command))
        {
            seen?.Add(command);
            if (command is not RunStep r) continue;
            ran.Add($"{r.Start.Step.Name} {(r.Start.Step.Direction == ActionDirection.Start ? "start" : "stop")}");
            foreach (var next in c.OnStepResult(r.Start.Ticket, true, null, now)) pending.Enqueue(next);
        }
        return ran;
    }

    /// <summary>A booted, heard B on the path at 0.1 s, lost it at 1 s, and became MASTER at 4 s: it waits at the gate.</summary>
    private static (RoleCoordinator A, List<RoleCommand> Seen) MasterWithSilentPeer(TimeSpan? agentTimeout = null)
    {
        var a = NewRouter("10.0.0.2", 150, agentTimeout ?? AgentTimeout);
        Complete(a, a.Boot(S(0)), S(0));
        a.OnPathUp("lan", S(0.1));
        a.OnPathDown("lan", S(1));
        var seen = new List<RoleCommand>();
        Assert.Empty(Complete(a, a.OnVrrpRole(RoleTarget.Master, 150, "master down", S(4)), S(4), seen));
        return (a, seen);
    }

    [Fact]
    public void ASilentPeerIsFencedOnceAndSuccessStartsWanAndTunnelBeforeTheWindow()
    {
        var (a, seen) = MasterWithSilentPeer();
        var run = Assert.Single(seen.OfType<RunFenceAgent>());
        Assert.Equal(AgentTimeout, run.Timeout);
        Assert.Contains("unreachable on every path", run.Reason);
        Assert.Contains(seen, c => c is RoleAlert { Kind: "fence_agent" } x && x.Fields["outcome"] == "running");
        Assert.Equal(FenceAgentOutcome.Running, a.FenceAgent!.Outcome);

        // Time passing while it runs starts no second run.
        Assert.Empty(a.OnTimer(S(5)).OfType<RunFenceAgent>());

        var done = new List<RoleCommand>();
        var ran = Complete(a, a.OnFenceAgentResult(run.Ticket, true, "exit code 0", S(5.5)), S(5.5), done);
        Assert.Equal(["wan start", "vpn start", "dhcp start"], ran); // 5.5 s, the window would have ended at 10.1 s
        Assert.Contains(done, c => c is RoleAlert { Kind: "fence_agent" } x && x.Fields["outcome"] == "ok" && x.Fields["opened_gate"] == "true");
        Assert.Equal(TunnelGate.Allowed, a.Verdict(S(6))!.Gate);
        Assert.Contains("fenced by fence_command", a.Verdict(S(6))!.Reason);
        Assert.Equal((FenceAgentOutcome.Ok, 1L), (a.FenceAgent!.Outcome, a.FenceAgent.Runs));
        Assert.Equal(TunnelStatus.Up, a.Tunnel);
    }

    [Fact]
    public void APeerNeverHeardSinceStartIsNotFencedAndTheWindowGoverns()
    {
        // A cold start of both routers: B is still booting when A becomes MASTER.
        var a = NewRouter("10.0.0.2", 150, AgentTimeout);
        Complete(a, a.Boot(S(0)), S(0));
        var seen = new List<RoleCommand>();
        Assert.Empty(Complete(a, a.OnVrrpRole(RoleTarget.Master, 150, "master down", S(0.4)), S(0.4), seen));
        Assert.Empty(seen.OfType<RunFenceAgent>());
        Assert.Empty(a.OnTimer(S(5)).OfType<RunFenceAgent>());
        Assert.Equal(0L, a.FenceAgent!.Runs);

        // The window still opens the gate, counted from the start.
        Assert.Equal(["wan start", "vpn start", "dhcp start"], Complete(a, a.OnTimer(S(10.1)), S(10.1)));
    }

    [Fact]
    public void AFailedAgentIsNotRetriedAndTheWindowGoverns()
    {
        var (a, seen) = MasterWithSilentPeer();
        var run = Assert.Single(seen.OfType<RunFenceAgent>());
        var failed = a.OnFenceAgentResult(run.Ticket, false, "exit code 1", S(4.5));
        Assert.Contains(failed, c => c is RoleAlert { Kind: "fence_agent" } x && x.Fields["outcome"] == "failed");
        Assert.Empty(failed.OfType<RunStep>());

        // Nothing until the window (last heard 0.1 s + 10 s), and no second run on the way.
        var later = new List<RoleCommand>();
        for (var t = 5.0; t < 10.1; t += 0.5) later.AddRange(a.OnTimer(S(t)));
        Assert.Empty(later.OfType<RunFenceAgent>());
        Assert.Empty(later.OfType<RunStep>());
        Assert.Equal(["wan start", "vpn start", "dhcp start"], Complete(a, a.OnTimer(S(10.1)), S(10.1)));
        Assert.Equal(1, a.FenceAgent!.Runs);
    }

    [Fact]
    public void AnAgentPastItsTimeoutIsKilledAndItsLateSuccessOpensNothing()
    {
        var (a, seen) = MasterWithSilentPeer();
        var run = Assert.Single(seen.OfType<RunFenceAgent>());
        var timeout = new List<RoleCommand>();
        for (var t = 5.0; t <= 7; t += 0.5) timeout.AddRange(a.OnTimer(S(t)));
        Assert.Equal(run.Ticket, Assert.Single(timeout.OfType<CancelFenceAgent>()).Ticket);
        Assert.Equal(FenceAgentOutcome.TimedOut, a.FenceAgent!.Outcome);

        Assert.Empty(a.OnFenceAgentResult(run.Ticket, true, "exit code 0", S(7.5)).OfType<RunStep>());
        Assert.Equal(TunnelGate.Wait, a.Verdict(S(7.5))!.Gate);
    }

    [Fact]
    public void APeerAliveAtTheGateIsAskedNotFenced()
    {
        var a = NewRouter("10.0.0.2", 150, AgentTimeout);
        var b = NewRouter("10.0.0.3", 100, AgentTimeout);
        Complete(a, a.Boot(S(0)), S(0));
        Complete(b, b.Boot(S(0)), S(0));
        a.OnPathUp("lan", S(0.1));
        b.OnPathUp("lan", S(0.1));
        var master = a.OnVrrpRole(RoleTarget.Master, 150, "election", S(1));
        Assert.Empty(master.OfType<RunFenceAgent>());
        var reply = b.OnFenceMessage("lan", master.OfType<SendFenceState>().Last().Payload, S(1.01));
        var answered = a.OnFenceMessage("lan", reply.OfType<SendFenceState>().Last().Payload, S(1.02));
        Assert.Equal(["wan start", "vpn start", "dhcp start"], Complete(a, answered, S(1.02)));
        Assert.Equal((FenceAgentOutcome.Idle, 0L), (a.FenceAgent!.Outcome, a.FenceAgent.Runs));
    }

    [Fact]
    public void APeerBackWhileTheAgentRunsIsJudgedByItsOwnWord()
    {
        var (a, seen) = MasterWithSilentPeer();
        var run = Assert.Single(seen.OfType<RunFenceAgent>());

        // B reconnects: alive again, but it has not acknowledged our MASTER state yet. The agent's success now does
        // not open the gate: B answers for its tunnel itself.
        a.OnPathUp("lan", S(5));
        var ok = a.OnFenceAgentResult(run.Ticket, true, "exit code 0", S(5.2));
        Assert.Empty(ok.OfType<RunStep>());
        Assert.Contains(ok, c => c is RoleAlert { Kind: "fence_agent" } x && x.Fields["opened_gate"] == "false");
        Assert.Equal(TunnelGate.Wait, a.Verdict(S(5.2))!.Gate);
    }

    [Fact]
    public void AConfirmationWhileTheAgentRunsOpensTheGateAndKillsTheAgent()
    {
        var a = NewRouter("10.0.0.2", 150, AgentTimeout);
        var b = NewRouter("10.0.0.3", 100, AgentTimeout);
        Complete(a, a.Boot(S(0)), S(0));
        Complete(b, b.Boot(S(0)), S(0));
        a.OnPathUp("lan", S(0.1));
        b.OnPathUp("lan", S(0.1));
        a.OnPathDown("lan", S(1));
        var master = a.OnVrrpRole(RoleTarget.Master, 150, "master down", S(4));
        var run = Assert.Single(master.OfType<RunFenceAgent>());

        // The path returns; B hears our MASTER state and confirms its release: the normal path opens the gate.
        var up = a.OnPathUp("lan", S(5));
        var reply = b.OnFenceMessage("lan", up.OfType<SendFenceState>().Last().Payload, S(5.01));
        var seen = new List<RoleCommand>();
        var ran = Complete(a, a.OnFenceMessage("lan", reply.OfType<SendFenceState>().Last().Payload, S(5.02)), S(5.02), seen);
        Assert.Equal(["wan start", "vpn start", "dhcp start"], ran);
        Assert.Equal(run.Ticket, Assert.Single(seen.OfType<CancelFenceAgent>()).Ticket);
        Assert.Equal(FenceAgentOutcome.Cancelled, a.FenceAgent!.Outcome);
        Assert.Empty(a.OnFenceAgentResult(run.Ticket, false, "killed", S(5.1))); // its late end changes nothing
    }

    [Fact]
    public void LeavingMasterWhileTheAgentRunsKillsIt()
    {
        var (a, seen) = MasterWithSilentPeer();
        var run = Assert.Single(seen.OfType<RunFenceAgent>());
        var backup = a.OnVrrpRole(RoleTarget.Backup, 150, "higher priority advert", S(5));
        Assert.Equal(run.Ticket, Assert.Single(backup.OfType<CancelFenceAgent>()).Ticket);
        Assert.Equal(FenceAgentOutcome.Cancelled, a.FenceAgent!.Outcome);
        Assert.Empty(a.OnFenceAgentResult(run.Ticket, true, "exit code 0", S(5.5)).OfType<RunStep>());
    }

    [Fact]
    public void EachNewFenceWaitMayRunTheAgentOnceMore()
    {
        var (a, seen) = MasterWithSilentPeer();
        var first = Assert.Single(seen.OfType<RunFenceAgent>());
        a.OnFenceAgentResult(first.Ticket, false, "exit code 1", S(4.5));
        Complete(a, a.OnVrrpRole(RoleTarget.Backup, 150, "higher priority advert", S(5)), S(5));
        var again = a.OnVrrpRole(RoleTarget.Master, 150, "master down", S(8));
        Assert.Single(again.OfType<RunFenceAgent>());
        Assert.Equal(2, a.FenceAgent!.Runs);
    }

    [Fact]
    public void WithoutAFenceCommandNothingRuns()
    {
        var a = NewRouter("10.0.0.2", 150, agentTimeout: null);
        Complete(a, a.Boot(S(0)), S(0));
        a.OnPathUp("lan", S(0.1));
        a.OnPathDown("lan", S(1));
        Assert.Empty(a.OnVrrpRole(RoleTarget.Master, 150, "master down", S(4)).OfType<RunFenceAgent>());
        Assert.Null(a.FenceAgent);
    }
}
