using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// /etc/init.d/routerha (openwrt-feed/net/routerha/files/routerha.init), sourced by busybox ash with a stand-in for
/// OpenWrt's rc.common and procd function library (standin/procd-standin.sh records every call and, for the
/// lifecycle tests, runs one instance the way procd's service/instance.c does).
/// </summary>
public sealed class InitScriptTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-init-").FullName;
    private readonly string _init;

    public InitScriptTests()
    {
        _init = Path.Combine(_dir, "routerha.init");
        File.Copy(Feed.PathOf("files/routerha.init"), _init);
        Directory.CreateDirectory(Path.Combine(_dir, "procd"));
        Directory.CreateDirectory(Path.Combine(_dir, "root", "var", "run"));
    }

    private static string StandIn(string name) => Path.Combine(AppContext.BaseDirectory, "standin", name);

    private List<string> RunWithStandInProcd(string? enabled, params string[] functions) =>
        RunWithStandInProcd(enabled, [], functions);

    private List<string> RunWithStandInProcd(string? enabled, IReadOnlyList<string> options, params string[] functions)
    {
        var log = Path.Combine(_dir, "calls.log");
        File.Delete(log);
        var env = new List<string> { "-i", $"STANDIN_LOG={log}", "PATH=/usr/bin:/bin" };
        if (enabled is not null) env.Add($"STANDIN_ENABLED={enabled}");
        env.AddRange(options);
        var r = Shell.Run("env", [.. env, "busybox", "ash", StandIn("procd-standin.sh"), _init, .. functions]);
        Assert.True(r.Ok, $"init script failed ({r.ExitCode}): {r.StdErr}");
        return File.Exists(log) ? [.. File.ReadAllLines(log)] : [];
    }

    // procd's side: one instance whose process is standin/fake-routerha.sh, its signals in daemon.log.
    private string DaemonLog => Path.Combine(_dir, "daemon.log");
    private string Events => Path.Combine(_dir, "procd", "events");
    private string PidFile => Path.Combine(_dir, "root", "var", "run", "routerha.pid");

    private void Procd(string enabled, string function, params string[] options) =>
        RunWithStandInProcd(enabled, [$"STANDIN_PROCD={Path.Combine(_dir, "procd")}", $"STANDIN_ROOT={Path.Combine(_dir, "root")}",
            $"STANDIN_DAEMON={StandIn("fake-routerha.sh")}", $"STANDIN_DAEMON_LOG={DaemonLog}", .. options], function);

    private string[] DaemonLines => File.Exists(DaemonLog) ? File.ReadAllLines(DaemonLog) : [];

    private string[] Launched => File.Exists(Events)
        ? [.. File.ReadAllLines(Events).Where(l => l.StartsWith("launch ", StringComparison.Ordinal)).Select(l => l[7..])]
        : [];

    /// <summary>The instance procd runs now, once its signal handlers exist.</summary>
    private string RunningDaemon()
    {
        Wait.Until(() => Launched.Length > 0 && DaemonLines.Contains($"{Launched[^1]} started"), Deadline,
            "the stand-in procd's instance to be up", () => string.Join('\n', DaemonLines));
        return Launched[^1];
    }

    private static bool Alive(string pid) => Directory.Exists($"/proc/{pid}");

    [Theory]
    [InlineData("sh")]
    [InlineData("busybox ash")]
    public void ParsesUnderShN(string shell)
    {
        var argv = shell.Split(' ');
        var r = Shell.Run(argv[0], [.. argv[1..], "-n", _init]);
        Assert.True(r.Ok, r.StdErr);
    }

    [Fact]
    public void StartEmitsOneRespawningInstanceRunningTheDaemonOnTheConffile()
    {
        var calls = RunWithStandInProcd("1", "start_service");
        Assert.Equal(
        [
            "config_load [routerha]",
            "config_foreach [routerha_check_enabled] [global]",
            "procd_open_instance [main]",
            "procd_set_param [command] [/usr/sbin/routerha] [run] [-c] [/etc/config/routerha]",
            "procd_set_param [respawn] [3600] [5] [5]",
            "procd_set_param [term_timeout] [15]",
            "procd_set_param [watchdog] [1] [10]",
            "procd_set_param [env] [ROUTERHA_PROCD_SERVICE=routerha] [ROUTERHA_PROCD_INSTANCE=main] [ROUTERHA_PROCD_WATCHDOG=10]",
            "procd_set_param [pidfile] [/var/run/routerha.pid]",
            "procd_set_param [stdout] [0]",
            "procd_set_param [stderr] [0]",
            "procd_close_instance",
        ], calls);
    }

    [Fact]
    public void EnabledIsTheDefaultWhenTheOptionIsAbsent()
    {
        Assert.Contains("procd_open_instance [main]", RunWithStandInProcd(null, "start_service"));
    }

    [Fact]
    public void WatchdogRespawnDelayAndTermTimeoutComeFromTheGlobalSection()
    {
        var calls = RunWithStandInProcd("1", ["STANDIN_WATCHDOG=4", "STANDIN_RESPAWN_DELAY=2", "STANDIN_TERM_TIMEOUT=3"], "start_service");
        Assert.Contains("procd_set_param [respawn] [3600] [2] [5]", calls);
        Assert.Contains("procd_set_param [term_timeout] [3]", calls);
        Assert.Contains("procd_set_param [watchdog] [1] [4]", calls);
        Assert.Contains("procd_set_param [env] [ROUTERHA_PROCD_SERVICE=routerha] [ROUTERHA_PROCD_INSTANCE=main] [ROUTERHA_PROCD_WATCHDOG=4]", calls);
    }

    [Fact]
    public void WatchdogZeroSetsNoProcdWatchdogAndTellsTheDaemonNothing()
    {
        var calls = RunWithStandInProcd("1", ["STANDIN_WATCHDOG=0"], "start_service");
        Assert.Contains("procd_open_instance [main]", calls);
        Assert.DoesNotContain(calls, c => c.Contains("[watchdog]", StringComparison.Ordinal) || c.Contains("ROUTERHA_PROCD", StringComparison.Ordinal));
    }

    [Fact]
    public void DisabledConfigStartsNoInstanceSoProcdDoesNotRespawnInALoop()
    {
        var calls = RunWithStandInProcd("0", "start_service");
        Assert.DoesNotContain(calls, c => c.StartsWith("procd_", StringComparison.Ordinal));
    }

    [Fact]
    public void AConfigChangeEventForRouterhaTriggersAReload()
    {
        Assert.Equal(["procd_add_reload_trigger [routerha]"], RunWithStandInProcd("1", "service_triggers"));
    }

    [Fact]
    public void NoReloadSignalOrFileParamSoProcdNeverAnswersAWatchdogOrAnEditWithoutARestartOrWithAFailover()
    {
        var calls = RunWithStandInProcd("1", "start_service");
        Assert.DoesNotContain(calls, c => c.StartsWith("procd_set_param [reload_signal]", StringComparison.Ordinal)
            || c.StartsWith("procd_set_param [file]", StringComparison.Ordinal));
    }

    [Fact]
    public void ReloadSendsHupToTheRunningDaemonWithoutARestartOnStandInProcd()
    {
        Procd("1", "start");
        var pid = RunningDaemon();
        Assert.Equal(pid, File.ReadAllText(PidFile).Trim());
        Procd("1", "reload_service");
        Wait.Until(() => DaemonLines.Contains($"{pid} HUP"), Deadline, "the HUP", () => string.Join('\n', DaemonLines));
        Assert.Equal([pid], Launched);
        Assert.DoesNotContain($"{pid} TERM", DaemonLines);
        Assert.True(Alive(pid));
    }

    [Fact]
    public void EnablingThroughReloadStartsTheDaemonAndSignalsNothingToItOnStandInProcd()
    {
        Procd("0", "start");
        Assert.Empty(Launched);
        Procd("1", "reload_service");
        var pid = RunningDaemon();
        Assert.True(Alive(pid));
        Assert.Equal([$"{pid} started"], DaemonLines);
    }

    [Fact]
    public void DisablingThroughReloadStopsTheDaemonOnStandInProcd()
    {
        Procd("1", "start");
        var pid = RunningDaemon();
        Procd("0", "reload_service");
        Assert.Contains($"{pid} TERM", DaemonLines);
        Assert.DoesNotContain($"{pid} HUP", DaemonLines);
        Assert.Equal([pid], Launched);
        Assert.False(File.Exists(PidFile));
    }

    [Fact]
    public void ChangedSupervisionFiguresRestartTheDaemonAndTheNewOneGetsNoHupOnStandInProcd()
    {
        Procd("1", "start");
        var first = RunningDaemon();
        Procd("1", "reload_service", "STANDIN_WATCHDOG=4");
        var second = RunningDaemon();
        Assert.NotEqual(first, second);
        Assert.Contains($"{first} TERM", DaemonLines);
        Assert.DoesNotContain($"{second} HUP", DaemonLines);
        Assert.True(Alive(second));
    }

    [Fact]
    public void AnExpiredWatchdogRestartsTheDaemonInsteadOfSignallingItOnStandInProcd()
    {
        Procd("1", "start");
        var stuck = RunningDaemon();
        Procd("1", "standin_watchdog_expired");
        var fresh = RunningDaemon();
        Assert.NotEqual(stuck, fresh);
        Assert.Contains($"{stuck} TERM", DaemonLines);
        Assert.DoesNotContain(DaemonLines, l => l.EndsWith(" HUP", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        // The stand-in's instances are this test's processes: stopped by the pids it launched.
        foreach (var pid in Launched) Shell.Run("kill", "-KILL", pid);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
