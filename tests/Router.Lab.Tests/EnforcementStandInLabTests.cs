using System.Diagnostics;
using System.Text.Json;
using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// Issue 13, continuous enforcement with real routerha daemons in network namespaces. The "tunnel" of each router is a
/// stand-in service (a flag file: start creates it, stop removes it, `running` tests it, as an init script's
/// `running` does), and OMR's cron is a stand-in loop in the BACKUP's namespace that re-enables it behind routerha's
/// back every few seconds.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class EnforcementStandInLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    /// <summary>A check, the stop and a loaded 2-core machine's scheduling on top of the interval.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan CronPeriod = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ABackupsTunnelReEnabledByAStandInCronIsStoppedWithinTheIntervalOneLogLineEachTimeAndTheMasterIsUntouched()
    {
        using var cts = LabAssert.Budget(60);
        using var t = LabTopology.Create();
        var flagA = Path.Combine(t.WorkDir, "tunnel-a.running");
        var flagB = Path.Combine(t.WorkDir, "tunnel-b.running");
        var a = new RouterHaNode(t, "A", Settings(150, "router-a", TunnelStandIn(t, 'a', flagA)));
        var b = new RouterHaNode(t, "B", Settings(100, "router-b", TunnelStandIn(t, 'b', flagB)));
        string Diag() => a.Diagnostics() + "\n" + b.Diagnostics();

        a.Start();
        await a.WaitForStateAsync("MASTER", TimeSpan.FromSeconds(10), cts.Token);
        b.Start();
        await b.WaitForStateAsync("BACKUP", TimeSpan.FromSeconds(10), cts.Token);
        await Wait.UntilAsync(() => File.Exists(flagA) && !File.Exists(flagB), TimeSpan.FromSeconds(10), "A's tunnel up, B's down", Diag, cts.Token);

        // The stand-in cron: every 3 s it enables B's tunnel again and notes when.
        var cronLog = Path.Combine(t.WorkDir, "cron.log");
        var cron = t.Own(LabProcess.Start(t.RouterB, "/bin/sh",
            ["-c", $"while :; do sleep {CronPeriod.TotalSeconds:0}; touch {flagB}; echo enabled >> {cronLog}; done"]));

        // Sampled from outside: how long B's tunnel stays enabled each time, and whether A's ever goes.
        var longest = TimeSpan.Zero;
        var masterLost = 0;
        var samples = 0;
        var watch = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(10);
        Stopwatch? up = null;
        while (watch.Elapsed < end)
        {
            cts.Token.ThrowIfCancellationRequested();
            samples++;
            if (!File.Exists(flagA)) masterLost++;
            if (File.Exists(flagB)) up ??= Stopwatch.StartNew();
            else if (up is not null)
            {
                if (up.Elapsed > longest) longest = up.Elapsed;
                up = null;
            }
            await Task.Delay(20, cts.Token); // the sampling period, not a wait for anything
        }
        cron.Kill9();
        await Wait.UntilAsync(() => !File.Exists(flagB), Interval + Margin, "B's tunnel stopped after the last re-enable", Diag, cts.Token);
        var enabled = File.ReadAllLines(cronLog).Length;

        var tunnel = await WaitForEnforcementAsync(b, enabled, cts.Token, Diag);
        var warnings = b.Log().Split('\n').Count(l => l.Contains("warn: enforce: tunnel is not in its BACKUP state", StringComparison.Ordinal));
        var cleared = b.Log().Split('\n').Count(l => l.Contains("info: enforce: tunnel back in its BACKUP state", StringComparison.Ordinal));
        var statusText = b.Cli("status").StdOut;
        output.WriteLine($"cron re-enabled B's tunnel {enabled} times; longest enabled stretch {longest.TotalMilliseconds:0} ms " +
                         $"(interval {Interval.TotalSeconds} s); {samples} samples; B episodes {tunnel.GetProperty("episodes")}, " +
                         $"corrections {tunnel.GetProperty("corrections")}, warnings {warnings}, cleared {cleared}\n{statusText}");

        Assert.True(enabled >= 3, $"the stand-in cron ran {enabled} times\n{Diag()}");
        Assert.True(longest <= Interval + Margin, $"B's tunnel stayed enabled {longest.TotalMilliseconds:0} ms\n{Diag()}");
        Assert.Equal(enabled, tunnel.GetProperty("episodes").GetInt64());
        Assert.True(tunnel.GetProperty("corrections").GetInt64() >= enabled);
        Assert.Equal("in_state", tunnel.GetProperty("state").GetString());
        Assert.Equal(enabled, warnings);
        Assert.Equal(enabled, cleared);
        Assert.Contains("enforce: every 1 s, holding the BACKUP state", statusText);

        // The MASTER was not affected: its tunnel never went, nothing was corrected there.
        Assert.Equal(0, masterLost);
        Assert.Equal(0, Action(Enforcement(a), "tunnel").GetProperty("corrections").GetInt64());
        Assert.Equal("start", Action(Enforcement(a), "tunnel").GetProperty("direction").GetString());
        Assert.Equal("MASTER", a.State);
        Assert.Equal("BACKUP", b.State);
    }

    private static VrrpSettings Settings(int priority, string node, string actionUci) =>
        VrrpSettings.For(priority, TimeSpan.FromMilliseconds(100)) with
        {
            NodeName = node,
            GlobalUci = $"\toption enforce_interval '{Interval.TotalSeconds:0}'\n",
            ExtraUci = actionUci,
        };

    /// <summary>The stand-in tunnel service and its `config action` (kind command with a check).</summary>
    private static string TunnelStandIn(LabTopology t, char which, string flag)
    {
        var script = Path.Combine(t.WorkDir, $"tunnel-{which}");
        File.WriteAllText(script, $"""
            #!/bin/sh
            case "$1" in
              start) touch {flag} ;;
              stop) rm -f {flag} ;;
              running) test -e {flag} ;;
              *) echo "usage: $0 start|stop|running" >&2; exit 2 ;;
            esac
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return $"\nconfig action 'tunnel'\n\toption kind 'command'\n\toption start '{script} start'\n\toption stop '{script} stop'\n" +
               $"\toption check '{script} running'\n\toption timeout '2'\n";
    }

    private static JsonElement Enforcement(RouterHaNode node)
    {
        var r = node.Cli("status", "--json");
        Assert.True(r.Ok, r.StdErr);
        return JsonDocument.Parse(r.StdOut).RootElement.GetProperty("enforcement");
    }

    private static JsonElement Action(JsonElement enforcement, string name) =>
        enforcement.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("action").GetString() == name);

    /// <summary>The last episode's end is reported by the check after the last correction.</summary>
    private static async Task<JsonElement> WaitForEnforcementAsync(RouterHaNode b, int episodes, CancellationToken ct, Func<string> diag)
    {
        JsonElement last = default;
        await Wait.UntilAsync(() =>
        {
            last = Action(Enforcement(b), "tunnel");
            return last.GetProperty("episodes").GetInt64() >= episodes && last.GetProperty("state").GetString() == "in_state";
        }, Interval + Margin, "B's enforcement to count every episode, the last one over", diag, ct);
        return last;
    }
}
