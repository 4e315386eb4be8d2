using System.Threading.Channels;
using Router.Core.Config;
using Router.Core.Roles;
using Router.Integrations.Actions;

namespace Router.Integrations.Tests.Actions;

/// <summary>Kind command's `option check` and how the executor runs enforcement checks and corrections with real processes.</summary>
public sealed class DriftCheckTests : IDisposable
{
    private readonly StandIns _sys = new();
    private readonly CommandRunner _runner = new("/usr/bin:/bin");

    private string Script(string name, string body) => _sys.Script(name, body);

    /// <summary>A "service" whose state is a flag file: start creates it, stop removes it, check exits 0 while it exists.</summary>
    private (string Start, string Stop, string Check, string Flag) FlagService(string? log = null)
    {
        var flag = Path.Combine(_sys.Root, "running");
        var note = log is null ? "" : $"echo \"$0 $ROUTERHA_DIRECTION $ROUTERHA_STATE\" >> {log}; ";
        return (Script("start.sh", $"{note}touch {flag}"), Script("stop.sh", $"{note}rm -f {flag}"),
            Script("check.sh", $"{note}test -e {flag}"), flag);
    }

    private static async Task<T> Next<T>(Channel<T> results)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await results.Reader.ReadAsync(cts.Token);
    }

    private static ActionContext Context(RoleTarget target) =>
        new("vpn", target, target == RoleTarget.Master ? ActionDirection.Start : ActionDirection.Stop, "enforce");

    [Fact]
    public async Task TheCheckCommandsExitCodeSaysWhetherTheActionIsOutOfItsState()
    {
        var (start, stop, check, flag) = FlagService();
        var action = Assert.IsAssignableFrom<IDriftCheckedAction>(ActionFactory.Create(
            new ActionConfig { Name = "vpn", Kind = ActionKind.Command, Order = 1, Start = start, Stop = stop, Check = check },
            new ActionEnvironment(_runner, () => throw new InvalidOperationException())));

        Assert.Empty(await action.DriftAsync(Context(RoleTarget.Backup), CancellationToken.None));
        File.WriteAllText(flag, "");
        Assert.Equal(["vpn: running (check exited 0)"], await action.DriftAsync(Context(RoleTarget.Backup), CancellationToken.None));
        Assert.Empty(await action.DriftAsync(Context(RoleTarget.Master), CancellationToken.None));

        await action.RunAsync(Context(RoleTarget.Backup), CancellationToken.None);
        Assert.False(File.Exists(flag));
        Assert.Equal(["vpn: not running (check exited 1)"], await action.DriftAsync(Context(RoleTarget.Master), CancellationToken.None));
    }

    [Fact]
    public void OnlyCommandsWithACheckCanBeEnforced()
    {
        var (start, stop, check, _) = FlagService();
        var env = new ActionEnvironment(_runner, () => throw new InvalidOperationException());
        var actions = ActionFactory.CreateAll([
            new ActionConfig { Name = "checked", Kind = ActionKind.Command, Order = 1, Start = start, Stop = stop, Check = check },
            new ActionConfig { Name = "plain", Kind = ActionKind.Command, Order = 2, Start = start, Stop = stop },
        ], env);
        var executor = new ActionExecutor(actions, _ => { });
        Assert.Equal(["checked"], executor.DriftChecked);
    }

    [Fact]
    public async Task ACheckQueuedBehindARunningStepWaitsForItAndACorrectionRunsTheActionAgain()
    {
        var log = Path.Combine(_sys.Root, "log");
        var (start, stop, check, flag) = FlagService(log);
        var slowStart = Script("slow-start.sh", $"echo slow-start-begin >> {log}; sleep 0.5; {start}; echo slow-start-end >> {log}");
        var steps = Channel.CreateUnbounded<StepResult>();
        var checks = Channel.CreateUnbounded<EnforcementResult>();
        await using var executor = new ActionExecutor(
            new Dictionary<string, IRoleAction> { ["vpn"] = new CheckedCommandAction(slowStart, stop, check, _runner) },
            r => steps.Writer.TryWrite(r), r => checks.Writer.TryWrite(r));

        executor.Start(new StartStep(1, 1, new PlanStep("vpn", StepPhase.Tunnel, ActionDirection.Start, TimeSpan.FromSeconds(10), 0, TimeSpan.Zero, true),
            RoleTarget.Master, 1, "election"));
        // A BACKUP-side check and correction queued while the start runs: neither may read or touch it half-way.
        executor.Enforce(new EnforcementWork(1, "vpn", ActionDirection.Stop, RoleTarget.Backup, false, TimeSpan.FromSeconds(10), "enforce BACKUP: check"));
        executor.Enforce(new EnforcementWork(2, "vpn", ActionDirection.Stop, RoleTarget.Backup, true, TimeSpan.FromSeconds(10), "enforce BACKUP: vpn running"));

        Assert.True((await Next(steps)).Ok);
        var found = await Next(checks);
        Assert.Equal((1L, true, "vpn: running (check exited 0)"), (found.Ticket, found.Ok, found.Drift.Single()));
        var corrected = await Next(checks);
        Assert.Equal((2L, true), (corrected.Ticket, corrected.Ok));
        Assert.Empty(corrected.Drift);
        Assert.False(File.Exists(flag));
        var lines = File.ReadAllLines(log);
        Assert.Equal(["slow-start-begin", $"{start} start MASTER", "slow-start-end", $"{check} stop BACKUP", $"{stop} stop BACKUP"], lines);
    }

    [Fact]
    public async Task ACancelledCheckIsNotReportedAndACheckPastItsTimeoutIs()
    {
        var hang = Script("hang.sh", "exec sleep 30");
        var checks = Channel.CreateUnbounded<EnforcementResult>();
        await using var executor = new ActionExecutor(
            new Dictionary<string, IRoleAction> { ["vpn"] = new CheckedCommandAction("/bin/true", "/bin/true", hang, _runner) },
            _ => { }, r => checks.Writer.TryWrite(r));
        executor.Enforce(new EnforcementWork(1, "vpn", ActionDirection.Stop, RoleTarget.Backup, false, TimeSpan.FromSeconds(30), "check"));
        executor.CancelEnforcement(1);
        executor.Enforce(new EnforcementWork(2, "vpn", ActionDirection.Stop, RoleTarget.Backup, false, TimeSpan.FromSeconds(0.3), "check"));
        var r = await Next(checks);
        Assert.Equal((2L, false, "killed after the timeout of 0.3 s"), (r.Ticket, r.Ok, r.Error));
        await executor.Idle;
        Assert.False(checks.Reader.TryRead(out _));
    }

    public void Dispose() => _sys.Dispose();
}
