using System.Net.Sockets;
using System.Text;
using Router.Integrations.Supervision;

namespace Router.Integrations.Tests.Supervision;

/// <summary>The sd_notify datagrams as systemd receives them: a real AF_UNIX SOCK_DGRAM socket plays systemd's end.</summary>
public sealed class SystemdWatchdogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Func<string, string?> Env(params (string Key, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Key == name).Value;

    private static Socket Bind(string notifySocket)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 5000 };
        s.Bind(SdNotify.ToEndPoint(notifySocket));
        return s;
    }

    private static string Receive(Socket s)
    {
        var buffer = new byte[4096];
        return Encoding.UTF8.GetString(buffer, 0, s.Receive(buffer));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReadyWatchdogAndStoppingArriveAsSdNotifyDatagramsOnAPathOrAnAbstractName(bool abstractName)
    {
        var address = abstractName ? $"@routerha-test-{Guid.NewGuid():N}" : Path.Combine(_dir, "notify");
        using var systemd = Bind(address);
        var env = SystemdEnvironment.Parse(Env(("NOTIFY_SOCKET", address), ("WATCHDOG_USEC", "3000000")), 42)!;
        var warnings = new List<string>();
        using var w = new SystemdWatchdog(env, warnings.Add);

        w.Ready();
        Assert.Equal("READY=1\nSTATUS=running", Receive(systemd));
        var pinged = new List<string?>();
        w.Ping(pinged.Add);
        Assert.Equal([null], pinged);
        Assert.Equal("WATCHDOG=1", Receive(systemd));
        w.Stopping();
        Assert.Equal("STOPPING=1\nSTATUS=handing over and stopping", Receive(systemd));
        Assert.Empty(warnings);
    }

    [Fact]
    public void WatchdogUsecGivesTheTimeoutAndAMatchingOrAbsentPidIsOurs()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), SystemdEnvironment.Parse(Env(("NOTIFY_SOCKET", "/run/n"), ("WATCHDOG_USEC", "3000000")), 42)!.Watchdog);
        Assert.Equal(TimeSpan.FromMilliseconds(1500),
            SystemdEnvironment.Parse(Env(("NOTIFY_SOCKET", "/run/n"), ("WATCHDOG_USEC", "1500000"), ("WATCHDOG_PID", "42")), 42)!.Watchdog);
    }

    [Fact]
    public void AWatchdogPidOfAnotherProcessMeansNoPings()
    {
        var env = SystemdEnvironment.Parse(Env(("NOTIFY_SOCKET", "/run/n"), ("WATCHDOG_USEC", "3000000"), ("WATCHDOG_PID", "7")), 42)!;
        Assert.Null(env.Watchdog);
        Assert.Equal("WATCHDOG_PID 7 is not this process (42): no watchdog pings", env.Note);
        using var w = new SystemdWatchdog(env, _ => { });
        Assert.Null(w.Timeout);
    }

    [Fact]
    public void WithoutNotifySocketThereIsNoSystemdAndWithoutWatchdogUsecNoPings()
    {
        Assert.Null(SystemdEnvironment.Parse(Env(("WATCHDOG_USEC", "3000000")), 42));
        Assert.Null(SystemdEnvironment.Parse(Env(("NOTIFY_SOCKET", "/run/n")), 42)!.Watchdog);
        Assert.NotNull(SystemdEnvironment.Parse(Env(("NOTIFY_SOCKET", "/run/n"), ("WATCHDOG_USEC", "0")), 42)!.Note);
    }

    [Fact]
    public void ANotifySocketNobodyListensOnIsReportedNotThrown()
    {
        var env = SystemdEnvironment.Parse(Env(("NOTIFY_SOCKET", Path.Combine(_dir, "gone")), ("WATCHDOG_USEC", "1000000")), 42)!;
        using var w = new SystemdWatchdog(env, _ => { });
        string? error = null;
        w.Ping(e => error = e);
        Assert.StartsWith($"sd_notify to {Path.Combine(_dir, "gone")}:", error);
    }
}
