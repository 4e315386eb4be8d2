using Router.Core.Roles;

namespace Router.Core.Tests.Roles;

/// <summary>The plan a router runs when it becomes MASTER or leaves it, driven on a fake clock.</summary>
public class PlanRunnerTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);
    private static TimeSpan At(double seconds) => T0 + TimeSpan.FromSeconds(seconds);

    /// <summary>The OMR set-up: WAN, the single-client tunnel (fenced), DHCP; listed out of order on purpose.</summary>
    private static PlanRunner Omr(int retries = 0) => new(
    [
        new ActionSpec { Name = "dhcp", Phase = StepPhase.Dhcp, Order = 40, Retries = retries },
        new ActionSpec { Name = "tunnel", Phase = StepPhase.Tunnel, Order = 30, Fenced = true, Retries = retries },
        new ActionSpec { Name = "wan", Phase = StepPhase.Wan, Order = 10, Retries = retries, Timeout = TimeSpan.FromSeconds(5) },
    ]);

    private static StartStep Started(IReadOnlyList<PlanCommand> commands) => Assert.Single(commands.OfType<StartStep>());

    /// <summary>Answers every step with ok (the fence too) and returns the steps in the order they were started.</summary>
    private static List<string> RunToEnd(PlanRunner runner, IReadOnlyList<PlanCommand> first, TimeSpan now)
    {
        var names = new List<string>();
        var commands = first;
        while (commands.OfType<StartStep>().FirstOrDefault() is { } s)
        {
            names.Add($"{s.Step.Name} {s.Step.Direction.ToString().ToLowerInvariant()}");
            commands = runner.StepFinished(s.Ticket, true, null, now);
        }
        Assert.Single(commands.OfType<PlanCompleted>());
        return names;
    }

    [Fact]
    public void BecomingMasterRunsWanThenFenceThenTunnelThenDhcp()
    {
        var runner = Omr();
        var order = RunToEnd(runner, runner.Transition(RoleTarget.Master, "election", T0), T0);
        Assert.Equal(["wan start", "fence start", "tunnel start", "dhcp start"], order);
        Assert.All(runner.Status.Steps, s => Assert.Equal(StepOutcome.Ok, s.Outcome));
    }

    [Theory]
    [InlineData(RoleTarget.Backup)]
    [InlineData(RoleTarget.Fault)]
    [InlineData(RoleTarget.Stopped)]
    public void LeavingMasterStopsDhcpFirstThenTheTunnelThenTheRestInReverse(RoleTarget target)
    {
        var runner = Omr();
        var order = RunToEnd(runner, runner.Transition(target, "election", T0), T0);
        // DHCP before the tunnel's Released: the peer's DHCP never serves beside ours.
        Assert.Equal(["dhcp stop", "tunnel stop", "wan stop"], order);
    }

    [Fact]
    public void BootPutsEverythingInTheBackupStateBeforeAnyElection()
    {
        var runner = Omr();
        var first = Started(runner.Boot(T0));
        Assert.Equal(RoleTarget.Backup, first.Target);
        Assert.Equal("boot", first.Reason);
        Assert.Equal(("dhcp", ActionDirection.Stop), (first.Step.Name, first.Step.Direction));
    }

    [Fact]
    public void AFailedFenceCheckSkipsTheTunnelButDhcpStillStarts()
    {
        var runner = Omr();
        var wan = Started(runner.Transition(RoleTarget.Master, "election", T0));
        var fence = Started(runner.StepFinished(wan.Ticket, true, null, At(1)));
        Assert.Equal(StepPhase.Fence, fence.Step.Phase);
        Assert.Equal(StepOutcome.Waiting, runner.Step("fence")!.Outcome);
        var dhcp = Started(runner.StepFinished(fence.Ticket, false, "peer still has its tunnel", At(2)));
        Assert.Equal("dhcp", dhcp.Step.Name);
        Assert.Equal(StepOutcome.Skipped, runner.Step("tunnel")!.Outcome);
        Assert.Equal("fence check failed", runner.Step("tunnel")!.Error);
        var done = Assert.Single(runner.StepFinished(dhcp.Ticket, true, null, At(3)).OfType<PlanCompleted>());
        Assert.Equal(["fence"], done.Failed);
    }

    [Fact]
    public void TheFenceWaitsWithoutTimeoutUnlessOneIsConfigured()
    {
        var runner = Omr();
        var wan = Started(runner.Transition(RoleTarget.Master, "election", T0));
        runner.StepFinished(wan.Ticket, true, null, T0);
        Assert.Null(runner.NextDeadline);

        var bounded = new PlanRunner([new ActionSpec { Name = "tunnel", Phase = StepPhase.Tunnel, Order = 1, Fenced = true }], TimeSpan.FromSeconds(7));
        Started(bounded.Transition(RoleTarget.Master, "election", T0));
        Assert.Equal(At(7), bounded.NextDeadline);
        var commands = bounded.OnTimer(At(7));
        Assert.Contains(commands, c => c is CancelStep { Name: "fence", Why: "timeout" });
        Assert.Equal(StepOutcome.TimedOut, bounded.Step("fence")!.Outcome);
        Assert.Equal(StepOutcome.Skipped, bounded.Step("tunnel")!.Outcome);
    }

    [Fact]
    public void AStepPastItsTimeoutIsCancelledAndRetriedWithDoublingBackoff()
    {
        var runner = Omr(retries: 2);
        var first = Started(runner.Transition(RoleTarget.Master, "election", T0));
        Assert.Equal(At(5), runner.NextDeadline);
        Assert.Empty(runner.OnTimer(At(4.9)));

        var timeout = runner.OnTimer(At(5));
        Assert.Equal(new CancelStep(first.Ticket, "wan", "timeout"), Assert.Single(timeout));
        var wan = runner.Step("wan")!;
        Assert.Equal(StepOutcome.TimedOut, wan.Outcome);
        Assert.Equal("no result within 5 s (retry 1 of 2 in 1 s)", wan.Error);
        Assert.Equal(At(6), runner.NextDeadline);

        var second = Started(runner.OnTimer(At(6)));
        Assert.Equal(2, second.Attempt);
        // The first attempt's late answer must not count for the second.
        Assert.Empty(runner.StepFinished(first.Ticket, true, null, At(6.5)));
        Assert.Equal(StepOutcome.Running, runner.Step("wan")!.Outcome);

        Assert.Empty(runner.StepFinished(second.Ticket, false, "ubus: Not found", At(7)));
        Assert.Equal(At(9), runner.NextDeadline); // 1 s, then 2 s
        var third = Started(runner.OnTimer(At(9)));
        Assert.Equal(3, third.Attempt);

        // Out of retries: recorded as failed, and the plan goes on (a failing action never blocks the rest).
        var next = Started(runner.StepFinished(third.Ticket, false, "ubus: Not found", At(10)));
        Assert.Equal("fence", next.Step.Name);
        wan = runner.Step("wan")!;
        Assert.Equal((StepOutcome.Failed, "ubus: Not found", 3), (wan.Outcome, wan.Error, wan.Attempts));
    }

    [Fact]
    public void ANewTransitionSupersedesTheUnfinishedPlanAndIgnoresItsResults()
    {
        var runner = Omr();
        var wan = Started(runner.Transition(RoleTarget.Master, "election", T0));
        var fence = Started(runner.StepFinished(wan.Ticket, true, null, At(1)));

        var commands = runner.Transition(RoleTarget.Backup, "higher priority peer", At(2));
        Assert.Equal(new CancelStep(fence.Ticket, "fence", "superseded by BACKUP"), commands[0]);
        var stop = Started(commands);
        Assert.Equal(("dhcp", ActionDirection.Stop), (stop.Step.Name, stop.Step.Direction));

        // The fencing logic answering late for the old plan changes nothing.
        Assert.Empty(runner.StepFinished(fence.Ticket, true, null, At(3)));
        Assert.Equal(1, runner.Status.StaleResults);
        Assert.Equal(RoleTarget.Backup, runner.Status.Target);
        Assert.Equal("dhcp", runner.Status.CurrentStep);
        Assert.Equal(StepOutcome.Running, runner.Step("dhcp")!.Outcome);
        Assert.Equal(RoleTarget.Backup, runner.Step("wan")!.Target);
    }

    [Fact]
    public void StatusKeepsEachStepsLastOutcomeErrorAndTiming()
    {
        var runner = Omr();
        var wan = Started(runner.Transition(RoleTarget.Master, "election", T0));
        var fence = Started(runner.StepFinished(wan.Ticket, false, "exit code 4: interface not found", At(0.25)));
        var status = runner.Status;
        Assert.False(status.Finished);
        Assert.Equal("fence", status.CurrentStep);
        var w = status.Steps[0];
        Assert.Equal(("wan", StepOutcome.Failed, "exit code 4: interface not found", T0, At(0.25)), (w.Name, w.Outcome, w.Error, w.StartedAt!.Value, w.FinishedAt!.Value));
        Assert.Equal([StepOutcome.Failed, StepOutcome.Waiting, StepOutcome.Pending, StepOutcome.Pending], status.Steps.Select(s => s.Outcome));
        Assert.NotEqual(0, fence.Ticket);
    }

    [Fact]
    public void APlanWithoutActionsCompletesAtOnce()
    {
        var runner = new PlanRunner([]);
        var done = Assert.IsType<PlanCompleted>(Assert.Single(runner.Transition(RoleTarget.Master, "election", T0)));
        Assert.Equal((1L, RoleTarget.Master, 0, TimeSpan.Zero), (done.PlanId, done.Target, done.Failed.Count, done.Duration));
        Assert.True(runner.Finished);
    }
}
