using Router.LabKit;
using Router.Integrations.Logging;
using Router.Integrations.Notify;

namespace Router.Integrations.Tests;

public sealed class NotifyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-notify-").FullName;

    [Theory]
    [InlineData("/bin/notify.sh", new[] { "/bin/notify.sh" })]
    [InlineData("/bin/x  a 'b c' \"d e\"", new[] { "/bin/x", "a", "b c", "d e" })]
    [InlineData("/bin/x ''", new[] { "/bin/x", "" })]
    [InlineData("/bin/x $(reboot); rm", new[] { "/bin/x", "$(reboot);", "rm" })]
    public void ScriptStringsSplitLikeKeepalivedWithoutAShell(string text, string[] argv) =>
        Assert.Equal(argv, CommandLine.Split(text));

    private string Script(string name, string body)
    {
        var path = Path.Combine(_dir, name);
        return ExecutableFile.Write(path, "#!/bin/sh\n" + body + "\n");
    }

    [Fact]
    public async Task ScriptsRunInSubmissionOrderWithArgumentsAndEnvironment()
    {
        var output = Path.Combine(_dir, "out");
        // The first script is the slowest: a concurrent runner would let the second overtake it.
        var slow = Script("slow.sh", $"sleep 0.3; echo \"$1 $2 $3 $4 $ROUTERHA_STATE\" >> {output}");
        var fast = Script("fast.sh", $"echo \"$1 $2 $3 $4 $ROUTERHA_STATE\" >> {output}");
        var runner = new NotifyRunner(new Log(LogLevel.Error), TimeSpan.FromSeconds(10));
        runner.Enqueue(new NotifyJob([slow, "INSTANCE", "lan", "BACKUP", "100"], new Dictionary<string, string> { ["ROUTERHA_STATE"] = "BACKUP" }));
        runner.Enqueue(new NotifyJob([fast, "INSTANCE", "lan", "MASTER", "100"], new Dictionary<string, string> { ["ROUTERHA_STATE"] = "MASTER" }));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await runner.DrainAsync(cts.Token);

        Assert.Equal(["INSTANCE lan BACKUP 100 BACKUP", "INSTANCE lan MASTER 100 MASTER"], File.ReadAllLines(output));
        Assert.Equal(2, runner.Started);
        Assert.Equal(0, runner.Failed);
    }

    [Fact]
    public async Task EachFailureIsReportedWithItsScriptAndReasonAndASuccessIsNot()
    {
        var failing = Script("fails.sh", "exit 3");
        var fine = Script("fine.sh", "exit 0");
        var hang = Script("hang.sh", "exec sleep 600");
        var reported = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var runner = new NotifyRunner(new Log(LogLevel.Error), TimeSpan.FromMilliseconds(300),
            (job, why) => reported.Enqueue($"{Path.GetFileName(job.Argv[0])}: {why}"));
        runner.Enqueue(new NotifyJob([failing, "INSTANCE", "lan", "MASTER"], new Dictionary<string, string>()));
        runner.Enqueue(new NotifyJob([fine], new Dictionary<string, string>()));
        runner.Enqueue(new NotifyJob([hang], new Dictionary<string, string>()));
        runner.Enqueue(new NotifyJob([Path.Combine(_dir, "missing.sh")], new Dictionary<string, string>()));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await runner.DrainAsync(cts.Token);

        var lines = reported.ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal("fails.sh: exit code 3", lines[0]);
        Assert.Equal("hang.sh: still running after 0.3 s, killed", lines[1]);
        Assert.StartsWith("missing.sh: ", lines[2]);
    }

    [Fact]
    public async Task AHangingScriptIsKilledAtTheTimeoutAndTheNextOneStillRuns()
    {
        var output = Path.Combine(_dir, "out");
        var hang = Script("hang.sh", "exec sleep 600");
        var after = Script("after.sh", $"echo ran >> {output}");
        var runner = new NotifyRunner(new Log(LogLevel.Error), TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        runner.Enqueue(new NotifyJob([hang], new Dictionary<string, string>()));
        runner.Enqueue(new NotifyJob([after], new Dictionary<string, string>()));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await runner.DrainAsync(cts.Token);

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Equal(1, runner.TimedOut);
        Assert.Equal(["ran"], File.ReadAllLines(output));
    }

    [Fact]
    public async Task AFailingOrMissingScriptIsCountedNotFatal()
    {
        var fails = Script("fails.sh", "exit 3");
        var runner = new NotifyRunner(new Log(LogLevel.Error), TimeSpan.FromSeconds(5));
        runner.Enqueue(new NotifyJob([fails], new Dictionary<string, string>()));
        runner.Enqueue(new NotifyJob([Path.Combine(_dir, "missing.sh")], new Dictionary<string, string>()));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await runner.DrainAsync(cts.Token);
        Assert.Equal(2, runner.Failed);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
