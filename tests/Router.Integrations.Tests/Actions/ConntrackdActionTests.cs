using Router.Core.Roles;
using Router.Integrations.Actions;
using Router.LabKit;

namespace Router.Integrations.Tests.Actions;

/// <summary>
/// The conntrackd action against the real conntrackd, running in a network namespace of its own (its -t and -c
/// touch the kernel's connection table, which must not be the host's). The commands reach it over its UNIX socket.
/// </summary>
public sealed class ConntrackdActionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-ctd-").FullName;
    private Netns? _ns;
    private LabProcess? _daemon;

    private string Conf => Path.Combine(_dir, "conntrackd.conf");
    private string LogFile => Path.Combine(_dir, "conntrackd.log");
    private string Socket => Path.Combine(_dir, "ctl");

    private async Task StartDaemon()
    {
        _ns = Netns.Create($"{LabRun.Prefix}{LabRun.NextTopologyNumber() % 0x1000:x3}t");
        File.WriteAllText(Conf, $$"""
            Sync {
                Mode FTFW {
                }
                UDP {
                    IPv4_address 127.0.0.1
                    IPv4_Destination_Address 127.0.0.2
                    Port 3780
                    Interface lo
                }
            }
            General {
                HashSize 1024
                HashLimit 8192
                LogFile {{LogFile}}
                LockFile {{Path.Combine(_dir, "lock")}}
                UNIX {
                    Path {{Socket}}
                }
            }
            """);
        _daemon = LabProcess.Start(_ns, "conntrackd", ["-C", Conf]);
        await Wait.UntilAsync(() => File.Exists(LogFile) && File.ReadAllText(LogFile).Contains("initialization completed"), TimeSpan.FromSeconds(10), "conntrackd up",
            () => _daemon.LogTail() + (File.Exists(LogFile) ? File.ReadAllText(LogFile) : ""));
    }

    private static ActionContext Ctx(RoleTarget t) => new("conntrack", t, t == RoleTarget.Master ? ActionDirection.Start : ActionDirection.Stop, "test");

    [Fact]
    public async Task MasterCommitsResyncsAndBulkSendsBackupShortensTimersAndRequestsAResync()
    {
        await StartDaemon();
        var action = new ConntrackdAction("conntrackd", Conf, new CommandRunner());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await action.RunAsync(Ctx(RoleTarget.Master), cts.Token);
        var log = File.ReadAllText(LogFile);
        Assert.Contains("committing all external caches", log);
        Assert.Contains("resync with master conntrack table", log);
        Assert.Contains("sending bulk update", log);
        Assert.DoesNotContain("resync requested", log);

        await action.RunAsync(Ctx(RoleTarget.Backup), cts.Token);
        log = File.ReadAllText(LogFile);
        Assert.Contains("flushing conntrack table in", log);
        Assert.Contains("resync requested", log);
    }

    [Fact]
    public async Task WithoutARunningDaemonEveryCommandIsTriedAndTheFailuresReportedTogether()
    {
        File.WriteAllText(Conf, $"General {{\n UNIX {{\n Path {Socket}\n }}\n}}\n");
        var action = new ConntrackdAction("conntrackd", Conf, new CommandRunner());
        var e = await Assert.ThrowsAsync<ActionFailedException>(() => action.RunAsync(Ctx(RoleTarget.Master), CancellationToken.None));
        Assert.StartsWith("conntrackd -c: exit code 1", e.Message);
        foreach (var flag in new[] { "; -f: exit code", "; -R: exit code", "; -B: exit code" })
            Assert.Contains(flag, e.Message);
    }

    public void Dispose()
    {
        // The daemon first: a process still inside keeps the namespace alive after `ip netns del`.
        _daemon?.Dispose();
        _ns?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
