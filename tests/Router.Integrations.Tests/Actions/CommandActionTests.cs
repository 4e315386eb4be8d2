using System.Threading.Channels;
using Router.Core.Config;
using Router.Core.Roles;
using Router.Integrations.Actions;

namespace Router.Integrations.Tests.Actions;

/// <summary>Command pairs and systemd units, and how the executor bounds, cancels and serializes real processes.</summary>
public sealed class CommandActionTests : IDisposable
{
    private readonly StandIns _sys = new();
    private readonly CommandRunner _runner = new("/usr/bin:/bin");

    private string Script(string name, string body) => _sys.Script(name, body);

    private static StartStep Step(long ticket, string name, RoleTarget target, double timeoutSeconds = 10) => new(ticket, 1,
        new PlanStep(name, StepPhase.Service, target == RoleTarget.Master ? ActionDirection.Start : ActionDirection.Stop,
            TimeSpan.FromSeconds(timeoutSeconds), 0, TimeSpan.Zero, false), target, 1, "test reason");

    private static async Task<StepResult> Next(Channel<StepResult> results)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await results.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Running, not merely a zombie waiting for a reaper (the killed script's orphans go to whichever init this box has).</summary>
    private static bool Alive(string pidFile)
    {
        var stat = $"/proc/{File.ReadAllText(pidFile).Trim()}/stat";
        if (!File.Exists(stat)) return false;
        var text = File.ReadAllText(stat);
        return text[(text.LastIndexOf(')') + 2)] != 'Z';
    }

    [Fact]
    public async Task CommandPairGetsArgumentsAndTheTransitionInItsEnvironment()
    {
        var output = Path.Combine(_sys.Root, "out");
        var record = Script("record.sh", $"echo \"$* $ROUTERHA_ACTION $ROUTERHA_DIRECTION $ROUTERHA_STATE $ROUTERHA_REASON\" >> {output}");
        var action = new CommandPairAction($"{record} up 'two words'", $"{record} down", _runner);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await action.RunAsync(new ActionContext("ovpn", RoleTarget.Master, ActionDirection.Start, "election"), cts.Token);
        await action.RunAsync(new ActionContext("ovpn", RoleTarget.Fault, ActionDirection.Stop, "link down"), cts.Token);
        Assert.Equal(["up two words ovpn start MASTER election", "down ovpn stop FAULT link down"], File.ReadAllLines(output));
    }

    [Fact]
    public async Task AStepPastItsTimeoutIsKilledWithItsChildrenAndReported()
    {
        var pid = Path.Combine(_sys.Root, "pid");
        var hang = Script("hang.sh", $"sleep 30 & echo $! > {pid}; wait");
        var results = Channel.CreateUnbounded<StepResult>();
        await using var executor = new ActionExecutor(
            new Dictionary<string, IRoleAction> { ["ovpn"] = new CommandPairAction(hang, null, _runner) }, r => results.Writer.TryWrite(r));
        executor.Start(Step(7, "ovpn", RoleTarget.Master, timeoutSeconds: 0.5));
        var r = await Next(results);
        Assert.Equal((7L, false, "killed after the timeout of 0.5 s"), (r.Ticket, r.Ok, r.Error));
        Assert.InRange(r.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5));
        Assert.False(Alive(pid), "the script's child outlived the kill");
    }

    [Fact]
    public async Task ACancelledStepIsDeadBeforeTheNextStartsAndItsResultIsNotReported()
    {
        var pid = Path.Combine(_sys.Root, "pid");
        var seen = Path.Combine(_sys.Root, "seen");
        var start = Script("start.sh", $"echo $$ > {pid}; exec sleep 30");
        var stop = Script("stop.sh", $"if kill -0 $(cat {pid}) 2>/dev/null; then echo start-still-running > {seen}; else echo start-gone > {seen}; fi");
        var results = Channel.CreateUnbounded<StepResult>();
        await using var executor = new ActionExecutor(
            new Dictionary<string, IRoleAction> { ["tunnel"] = new CommandPairAction(start, stop, _runner) }, r => results.Writer.TryWrite(r));
        executor.Start(Step(1, "tunnel", RoleTarget.Master));
        await Router.LabKit.Wait.UntilAsync(() => File.Exists(pid) && File.ReadAllText(pid).Trim().Length > 0, TimeSpan.FromSeconds(10), "start script running");
        executor.Cancel(1);
        executor.Start(Step(2, "tunnel", RoleTarget.Backup));
        var r = await Next(results);
        Assert.Equal((2L, true), (r.Ticket, r.Ok));
        Assert.Equal("start-gone", File.ReadAllText(seen).Trim());
        await executor.Idle;
        Assert.False(results.Reader.TryRead(out _));
    }

    [Fact]
    public async Task SystemdUnitsFailClearlyWhereSystemdIsNotRunning()
    {
        var missing = Path.Combine(_sys.Root, "no-systemd");
        var action = new SystemdAction(["openvpn-client@vps.service"], _runner, missing);
        var e = await Assert.ThrowsAsync<ActionFailedException>(() =>
            action.RunAsync(new ActionContext("vpn", RoleTarget.Master, ActionDirection.Start, "election"), CancellationToken.None));
        Assert.Equal($"systemd is not running here ({missing} missing): cannot start openvpn-client@vps.service", e.Message);
    }

    [Fact]
    public async Task SystemdRecordedCallsSystemctlStartAndStopEachUnit()
    {
        _sys.Bin("systemctl");
        var booted = Directory.CreateDirectory(Path.Combine(_sys.Root, "systemd")).FullName;
        var env = new ActionEnvironment(new CommandRunner(_sys.BinDir), () => throw new InvalidOperationException()) { SystemdRuntimeDir = booted };
        var action = ActionFactory.Create(new ActionConfig { Name = "vpn", Kind = ActionKind.Systemd, Order = 1, Services = ["a.service", "b.service"] }, env);
        await action.RunAsync(new ActionContext("vpn", RoleTarget.Master, ActionDirection.Start, "election"), CancellationToken.None);
        await action.RunAsync(new ActionContext("vpn", RoleTarget.Backup, ActionDirection.Stop, "election"), CancellationToken.None);
        Assert.Equal(["systemctl start a.service", "systemctl start b.service", "systemctl stop a.service", "systemctl stop b.service"], _sys.Calls());
    }

    public void Dispose() => _sys.Dispose();
}
