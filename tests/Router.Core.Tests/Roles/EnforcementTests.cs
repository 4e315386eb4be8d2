using Router.Core.Fencing;
using Router.Core.Roles;

namespace Router.Core.Tests.Roles;

/// <summary>Continuous enforcement through the role coordinator on a fake clock: when checks run, how drift is
/// corrected, counted and logged, and what a MASTER may not correct.</summary>
public class EnforcementTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static readonly IReadOnlyList<ActionSpec> Omr =
    [
        new ActionSpec { Name = "wan", Phase = StepPhase.Wan, Order = 10, Retries = 0 },
        new ActionSpec { Name = "vpn", Phase = StepPhase.Tunnel, Order = 20, Fenced = true, Retries = 0 },
        new ActionSpec { Name = "dhcp", Phase = StepPhase.Dhcp, Order = 30, Retries = 0 },
    ];

    /// <summary>No peer; vpn and dhcp can read their state back, wan cannot.</summary>
    private static RoleCoordinator Coordinator(double interval = 5) =>
        new(new RoleCoordinatorSettings { Actions = Omr, EnforceInterval = S(interval), DriftChecked = ["vpn", "dhcp"] }, null, 150);

    /// <summary>Answers every RunStep (ok unless named in <paramref name="failing"/>); returns the other commands.</summary>
    private static List<RoleCommand> Complete(RoleCoordinator c, IReadOnlyList<RoleCommand> commands, TimeSpan now, params string[] failing)
    {
        var rest = new List<RoleCommand>();
        var pending = new Queue<RoleCommand>(commands);
        while (pending.TryDequeue(out var command))
        {
            if (command is not RunStep r)
            {
                rest.Add(command);
                continue;
            }
            var ok = !failing.Contains(r.Start.Step.Name);
            foreach (var next in c.OnStepResult(r.Start.Ticket, ok, ok ? null : "broken", now)) pending.Enqueue(next);
        }
        return rest;
    }

    private static List<EnforcementWork> Work(IEnumerable<RoleCommand> commands) => commands.OfType<RunEnforcement>().Select(r => r.Work).ToList();

    private static List<string> Notes(IEnumerable<RoleCommand> commands, NoteLevel level) =>
        commands.OfType<RoleNote>().Where(n => n.Level == level && n.Text.StartsWith("enforce:", StringComparison.Ordinal)).Select(n => n.Text).ToList();

    private static DriftStatus Of(RoleCoordinator c, string action) => c.Enforcement.Actions.Single(a => a.Action == action);

    /// <summary>Booted into BACKUP with the boot plan done at 0 s.</summary>
    private static RoleCoordinator BootedBackup(double interval = 5)
    {
        var c = Coordinator(interval);
        Complete(c, c.Boot(S(0)), S(0));
        return c;
    }

    [Fact]
    public void ABackupChecksItsCheckableActionsOneIntervalAfterThePlanCompletedAndEveryIntervalAfter()
    {
        var c = BootedBackup();
        Assert.Equal(S(5), c.NextDeadline);
        Assert.Empty(Work(c.OnTimer(S(4.9))));

        var round = Work(c.OnTimer(S(5)));
        Assert.Equal(["vpn", "dhcp"], round.Select(w => w.Action));
        Assert.All(round, w => Assert.Equal((ActionDirection.Stop, RoleTarget.Backup, false), (w.Direction, w.Target, w.Correct)));
        foreach (var w in round) Assert.Empty(c.OnEnforcementResult(w.Ticket, true, [], null, S(5.1)));
        Assert.Equal(DriftState.InState, Of(c, "vpn").State);
        Assert.Equal(S(10), c.NextDeadline);
        Assert.Equal(2, Work(c.OnTimer(S(10))).Count);
    }

    [Fact]
    public void DriftIsCorrectedAtMostOncePerRoundAndLoggedOncePerEpisode()
    {
        var c = BootedBackup();
        var vpn = Work(c.OnTimer(S(5))).Single(w => w.Action == "vpn");

        // OMR's cron re-enabled the tunnel: one warning and one alert, and the stop runs again.
        var found = c.OnEnforcementResult(vpn.Ticket, true, ["glorytun.vpn.enable is 1"], null, S(5.1));
        Assert.Single(Notes(found, NoteLevel.Warn));
        Assert.Contains("vpn is not in its BACKUP state (glorytun.vpn.enable is 1): correcting", Notes(found, NoteLevel.Warn)[0]);
        var alert = found.OfType<RoleAlert>().Single();
        Assert.Equal(("drift", "vpn", "BACKUP", "true"), (alert.Kind, alert.Fields["action"], alert.Fields["target"], alert.Fields["corrected"]));
        var correction = Work(found).Single();
        Assert.Equal((true, ActionDirection.Stop), (correction.Correct, correction.Direction));
        Assert.Contains("glorytun.vpn.enable is 1", correction.Reason);

        // The correction did not hold (the cron was faster): checked again at once, but not corrected again this round.
        var recheck = Work(c.OnEnforcementResult(correction.Ticket, true, [], null, S(5.3))).Single();
        Assert.False(recheck.Correct);
        var still = c.OnEnforcementResult(recheck.Ticket, true, ["glorytun.vpn.enable is 1"], null, S(5.4));
        Assert.Empty(Work(still));
        Assert.Empty(still.OfType<RoleNote>());

        // Next round: corrected again, still one episode, still no new log line.
        var next = Work(c.OnTimer(S(10))).Single(w => w.Action == "vpn");
        var again = c.OnEnforcementResult(next.Ticket, true, ["glorytun.vpn.enable is 1"], null, S(10.1));
        Assert.Empty(again.OfType<RoleNote>());
        var second = Work(again).Single(w => w.Correct);
        var verify = Work(c.OnEnforcementResult(second.Ticket, true, [], null, S(10.2))).Single();
        var cleared = c.OnEnforcementResult(verify.Ticket, true, [], null, S(10.3));
        Assert.Equal(["enforce: vpn back in its BACKUP state after 5.2 s (2 correction(s))"], Notes(cleared, NoteLevel.Info));
        Assert.Equal("drift_ended", cleared.OfType<RoleAlert>().Single().Kind);

        var s = Of(c, "vpn");
        Assert.Equal((DriftState.InState, 1L, 2L, (TimeSpan?)null), (s.State, s.Episodes, s.Corrections, s.DriftingSince));

        // A new drift later is a new episode, logged again.
        var later = Work(c.OnTimer(S(15))).Single(w => w.Action == "vpn");
        Assert.Single(Notes(c.OnEnforcementResult(later.Ticket, true, ["glorytun running"], null, S(15.1)), NoteLevel.Warn));
        Assert.Equal((2L, 3L), (Of(c, "vpn").Episodes, Of(c, "vpn").Corrections));
    }

    [Fact]
    public void ABackupWhoseTunnelCameBackIsNotReleasedForThePeerUntilACheckFindsItStoppedAgain()
    {
        var c = BootedBackup();
        Assert.Equal(TunnelStatus.Released, c.Tunnel);
        var round = Work(c.OnTimer(S(5)));
        var vpn = round.Single(w => w.Action == "vpn");
        c.OnEnforcementResult(round.Single(w => w.Action == "dhcp").Ticket, true, [], null, S(5.05));

        // The cron restarted the tunnel: the peer must not start its own while ours runs.
        var correction = Work(c.OnEnforcementResult(vpn.Ticket, true, ["glorytun running"], null, S(5.1))).Single();
        Assert.Equal(TunnelStatus.Stopping, c.Tunnel);
        // The stop ran, but only a check that finds it stopped releases it again.
        var recheck = Work(c.OnEnforcementResult(correction.Ticket, true, [], null, S(5.2))).Single();
        Assert.Equal(TunnelStatus.Stopping, c.Tunnel);
        c.OnEnforcementResult(recheck.Ticket, true, [], null, S(5.3));
        Assert.Equal(TunnelStatus.Released, c.Tunnel);

        // DHCP is not fenced: its drift leaves the tunnel's word alone.
        var dhcp = Work(c.OnTimer(S(10))).Single(w => w.Action == "dhcp");
        c.OnEnforcementResult(dhcp.Ticket, true, ["dnsmasq serves lan"], null, S(10.1));
        Assert.Equal(TunnelStatus.Released, c.Tunnel);
    }

    [Fact]
    public void NothingIsCheckedWhileAPlanRunsAndANewPlanCancelsTheWorkInFlightAndEndsTheEpisode()
    {
        var c = BootedBackup();
        var round = Work(c.OnTimer(S(5)));
        var vpn = round.Single(w => w.Action == "vpn");
        var dhcp = round.Single(w => w.Action == "dhcp");
        var correction = Work(c.OnEnforcementResult(vpn.Ticket, true, ["tunnel running"], null, S(5.1))).Single();

        // Elected MASTER while the dhcp check and the vpn correction are queued: both cancelled, the episode over.
        var master = c.OnVrrpRole(RoleTarget.Master, 150, "election", S(5.2));
        Assert.Equal([dhcp.Ticket, correction.Ticket], master.OfType<CancelEnforcement>().Select(x => x.Ticket).Order());
        Assert.Contains(Notes(master, NoteLevel.Info), n => n.Contains("vpn no longer enforced: a new MASTER plan"));
        Assert.Null(c.Enforcement.Actions.Single(a => a.Action == "vpn").DriftingSince);
        Assert.False(c.Enforcement.Active);
        // Results of the superseded work change nothing.
        Assert.Empty(c.OnEnforcementResult(dhcp.Ticket, true, ["dnsmasq serving"], null, S(5.3)));

        // The MASTER plan is still running (wan start in flight): no round comes due.
        Assert.Contains(master, m => m is RunStep);
        Assert.Empty(Work(c.OnTimer(S(10.2))));
        var rest = Complete(c, master, S(10.3));
        Assert.Empty(Work(rest));
        Assert.Equal(S(15.3), c.NextDeadline);
        var checks = Work(c.OnTimer(S(15.3)));
        Assert.Equal(2, checks.Count);
        Assert.All(checks, w => Assert.Equal(ActionDirection.Start, w.Direction));
    }

    [Fact]
    public void AMasterReportsButNeverStartsAFencedActionTheFenceDidNotLetItStart()
    {
        var c = BootedBackup();
        // The tunnel start failed: the fenced actions never all came up.
        Complete(c, c.OnVrrpRole(RoleTarget.Master, 150, "election", S(1)), S(1), "vpn");
        var round = Work(c.OnTimer(S(6)));

        var vpn = round.Single(w => w.Action == "vpn");
        var heldOut = c.OnEnforcementResult(vpn.Ticket, true, ["glorytun not running"], null, S(6.1));
        Assert.Empty(Work(heldOut));
        Assert.Contains("not corrected: the plan did not start every fenced action", Notes(heldOut, NoteLevel.Warn).Single());
        Assert.Equal("false", heldOut.OfType<RoleAlert>().Single().Fields["corrected"]);
        Assert.NotNull(Of(c, "vpn").Held);
        Assert.Equal(0, Of(c, "vpn").Corrections);

        // DHCP is not fenced: started again, with the merged leases handed over first.
        var dhcp = round.Single(w => w.Action == "dhcp");
        var fixes = c.OnEnforcementResult(dhcp.Ticket, true, ["dhcp.lan.ignore is 1"], null, S(6.2))
            .Where(x => x is PrepareDhcp or RunEnforcement).ToList();
        Assert.IsType<PrepareDhcp>(fixes[0]);
        var fix = Assert.IsType<RunEnforcement>(fixes[1]).Work;
        Assert.Equal((true, ActionDirection.Start), (fix.Correct, fix.Direction));
    }

    [Fact]
    public void AMasterHoldingTheFenceStartsItsDriftedTunnelAgain()
    {
        var c = BootedBackup();
        Complete(c, c.OnVrrpRole(RoleTarget.Master, 150, "election", S(1)), S(1));
        var vpn = Work(c.OnTimer(S(6))).Single(w => w.Action == "vpn");
        var fix = Work(c.OnEnforcementResult(vpn.Ticket, true, ["glorytun not running"], null, S(6.1))).Single();
        Assert.Equal((true, ActionDirection.Start, "vpn"), (fix.Correct, fix.Direction, fix.Action));
    }

    [Fact]
    public void AFailingCheckIsLoggedOnceAndShownAsUnknown()
    {
        var c = BootedBackup();
        var vpn = Work(c.OnTimer(S(5))).Single(w => w.Action == "vpn");
        Assert.Single(Notes(c.OnEnforcementResult(vpn.Ticket, false, [], "uci: not found", S(5.1)), NoteLevel.Warn));
        var again = Work(c.OnTimer(S(10))).Single(w => w.Action == "vpn");
        var second = c.OnEnforcementResult(again.Ticket, false, [], "uci: not found", S(10.1));
        Assert.Empty(second.OfType<RoleNote>());
        Assert.Empty(Work(second));
        Assert.Equal((DriftState.CheckFailing, "uci: not found", 0L), (Of(c, "vpn").State, Of(c, "vpn").LastError, Of(c, "vpn").Episodes));
    }

    [Fact]
    public void IntervalZeroTurnsEnforcementOffAndAReloadCanTurnItOn()
    {
        var c = BootedBackup(interval: 0);
        Assert.Null(c.NextDeadline);
        Assert.False(c.Enforcement.Active);

        c.SetEnforceInterval(S(2), S(1));
        Assert.Equal(S(3), c.NextDeadline);
        var round = Work(c.OnTimer(S(3)));
        Assert.Equal(2, round.Count);
        // Off again: the checks in flight are cancelled.
        Assert.Equal(2, c.SetEnforceInterval(TimeSpan.Zero, S(3.1)).OfType<CancelEnforcement>().Count());
        Assert.Null(c.NextDeadline);
    }

    [Fact]
    public void ActionsWithoutADriftCheckAreNeverChecked()
    {
        var c = BootedBackup();
        Assert.DoesNotContain(c.Enforcement.Actions, a => a.Action == "wan");
        Assert.DoesNotContain(Work(c.OnTimer(S(5))), w => w.Action == "wan");
    }
}
