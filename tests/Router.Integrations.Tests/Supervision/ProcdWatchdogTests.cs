using Router.LabKit;
using Router.Integrations.Actions;
using Router.Integrations.Supervision;

namespace Router.Integrations.Tests.Supervision;

/// <summary>
/// The procd instance watchdog through a stand-in `ubus` on PATH that answers `call service watchdog` as procd's
/// service_handle_watchdog does: unknown service or instance -> UBUS_STATUS_NOT_FOUND (the CLI exits 4, "Command
/// failed: Not found"); a known one re-arms the instance's timer (here: a line in a file) and replies name, instance,
/// mode and timeout.
/// </summary>
public sealed class ProcdWatchdogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-procd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Resets => Path.Combine(_dir, "resets");
    private string Release => Path.Combine(_dir, "release");

    /// <summary>procd knows service routerha, instance main, watchdog mode 1 with 4 s. holdUntilReleased: the call
    /// blocks until the test creates the release file (a slow ubus).</summary>
    private CommandRunner StandInUbus(bool holdUntilReleased = false)
    {
        var bin = Path.Combine(_dir, "bin");
        Directory.CreateDirectory(bin);
        var script = $$"""
            #!/bin/sh
            [ "$1 $2 $3" = "call service watchdog" ] || { echo "Command failed: Not found" >&2; exit 4; }
            name=$(echo "$4" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')
            instance=$(echo "$4" | sed -n 's/.*"instance":"\([^"]*\)".*/\1/p')
            [ "$name" = routerha ] && [ "$instance" = main ] || { echo "Command failed: Not found" >&2; exit 4; }
            {{(holdUntilReleased ? $"while [ ! -e '{Release}' ]; do sleep 0.02; done" : "")}}
            echo "reset $4" >> '{{Resets}}'
            echo '{ "name": "routerha", "instance": "main", "mode": 1, "timeout": 4 }'
            """;
        var path = Path.Combine(bin, "ubus");
        ExecutableFile.Write(path, script + "\n");
        return new CommandRunner($"{bin}:/usr/bin:/bin");
    }

    private static ProcdEnvironment Env(string instance = "main", string watchdog = "4") =>
        ProcdEnvironment.Parse(n => n switch
        {
            ProcdEnvironment.ServiceVariable => "routerha",
            ProcdEnvironment.InstanceVariable => instance,
            ProcdEnvironment.WatchdogVariable => watchdog,
            _ => null,
        })!;

    private static Task<string?> PingAsync(ProcdWatchdog w)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        w.Ping(e => done.TrySetResult(e));
        return done.Task;
    }

    [Fact]
    public async Task APingResetsTheInstanceTimerThroughStandInUbus()
    {
        using var w = new ProcdWatchdog(Env(), StandInUbus());
        Assert.Equal((TimeSpan.FromSeconds(4), "procd instance routerha/main"), (w.Timeout, w.Supervisor));
        Assert.Null(await PingAsync(w).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["reset {\"name\":\"routerha\",\"instance\":\"main\"}"], File.ReadAllLines(Resets));
    }

    [Fact]
    public async Task AnInstanceStandInProcdDoesNotKnowIsReportedAsAFailedPing()
    {
        using var w = new ProcdWatchdog(Env(instance: "instance1"), StandInUbus());
        var error = await PingAsync(w).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ubus call service watchdog exited 4: Command failed: Not found", error);
        Assert.False(File.Exists(Resets));
    }

    [Fact]
    public async Task ASlowStandInUbusNeitherBlocksThePingNorIsDoubled()
    {
        using var w = new ProcdWatchdog(Env(), StandInUbus(holdUntilReleased: true));
        var first = PingAsync(w);
        Assert.False(first.IsCompleted);
        // Due again while the first call still hangs: reported at once, no second ubus process.
        Assert.Equal("the previous ubus call is still running", await PingAsync(w).WaitAsync(TimeSpan.FromSeconds(10)));
        File.WriteAllText(Release, "");
        Assert.Null(await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Single(File.ReadAllLines(Resets));
        Assert.Null(await PingAsync(w).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void TheInitScriptsVariablesSayWhetherAndHowLong()
    {
        Assert.Null(ProcdEnvironment.Parse(_ => null));
        Assert.Null(Env(watchdog: "0").Watchdog);
        Assert.Null(Env(watchdog: "2.5").Watchdog);
        Assert.NotNull(Env(watchdog: "2.5").Note);
    }
}
