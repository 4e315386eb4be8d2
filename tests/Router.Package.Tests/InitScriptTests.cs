using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// /etc/init.d/routerha from the ipk, sourced by busybox ash with a stand-in for OpenWrt's rc.common and
/// procd function library (standin/procd-standin.sh records every call).
/// </summary>
public sealed class InitScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-init-").FullName;
    private readonly string _init;

    public InitScriptTests()
    {
        using var root = MuslRoot.Create();
        root.InstallIpk(PackageArtifacts.RequireIpk());
        _init = Path.Combine(_dir, "routerha.init");
        File.Copy(root.PathOf("/etc/init.d/routerha"), _init);
    }

    private List<string> RunWithStandInProcd(string? enabled, params string[] functions) =>
        RunWithStandInProcd(enabled, [], functions);

    private List<string> RunWithStandInProcd(string? enabled, IReadOnlyList<string> options, params string[] functions)
    {
        var log = Path.Combine(_dir, "calls.log");
        File.Delete(log);
        var env = new List<string> { "-i", $"STANDIN_LOG={log}", "PATH=/usr/bin:/bin" };
        if (enabled is not null) env.Add($"STANDIN_ENABLED={enabled}");
        env.AddRange(options);
        var standin = Path.Combine(AppContext.BaseDirectory, "standin", "procd-standin.sh");
        var r = Shell.Run("env", [.. env, "busybox", "ash", standin, _init, .. functions]);
        Assert.True(r.Ok, $"init script failed ({r.ExitCode}): {r.StdErr}");
        return File.Exists(log) ? [.. File.ReadAllLines(log)] : [];
    }

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
    public void UciCommitOfRouterhaTriggersAReload()
    {
        Assert.Equal(["procd_add_reload_trigger [routerha]"], RunWithStandInProcd("1", "service_triggers"));
    }

    [Fact]
    public void ReloadRestatesTheInstanceAndSendsSighupInsteadOfRestarting()
    {
        var calls = RunWithStandInProcd("1", "reload_service");
        Assert.Equal("start", calls[0]);
        Assert.Contains("procd_set_param [command] [/usr/sbin/routerha] [run] [-c] [/etc/config/routerha]", calls);
        Assert.Equal("procd_send_signal [routerha] [*] [HUP]", calls[^1]);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
