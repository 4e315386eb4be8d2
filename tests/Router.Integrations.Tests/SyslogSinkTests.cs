using System.Net.Sockets;
using System.Text;
using Router.Integrations.Logging;
using Router.Integrations.Tests.Mqtt;

namespace Router.Integrations.Tests;

public sealed class SyslogSinkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-syslog-").FullName;

    [Theory]
    [InlineData("daemon", LogLevel.Info, 30)]     // 3*8+6
    [InlineData("daemon", LogLevel.Error, 27)]    // 3*8+3
    [InlineData("local0", LogLevel.Warning, 132)] // 16*8+4
    [InlineData("user", LogLevel.Debug, 15)]      // 1*8+7
    public void ARealDatagramSocketReceivesOneRfc3164LineWithTheRightPriority(string facility, LogLevel level, int pri)
    {
        var path = Path.Combine(_dir, "log");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.ReceiveTimeout = 5000;

        using var sink = new SyslogSink(facility, path);
        sink.Write(level, "lan: BACKUP -> MASTER\n(master down)");
        Assert.True(sink.Connected);

        var buffer = new byte[2048];
        var n = server.Receive(buffer);
        var line = Encoding.UTF8.GetString(buffer, 0, n);
        Assert.Matches($@"^<{pri}>[A-Z][a-z]{{2}} [ 1-3][0-9] \d\d:\d\d:\d\d routerha\[{Environment.ProcessId}\]: lan: BACKUP -> MASTER \(master down\)$", line);
    }

    [Fact]
    public void NoSocketSendsTheLinesToTheFallbackWithOneNotice()
    {
        var stderr = new CapturedLog();
        using var sink = new SyslogSink("daemon", Path.Combine(_dir, "absent"), fallback: stderr);
        sink.Write(LogLevel.Error, "first");
        sink.Write(LogLevel.Info, "second");
        Assert.False(sink.Connected);
        Assert.Equal(["Warning: syslog", "Error: first", "Info: second"], stderr.Lines.Select(l => $"{l.Level}: {l.Text.Split(' ')[0]}"));
        Assert.Contains(Path.Combine(_dir, "absent"), stderr.Lines[0].Text);
    }

    [Fact]
    public void ALogdRestartRemovingAndRecreatingTheSocketLosesNoLineAndNeedsNoNewSink()
    {
        var path = Path.Combine(_dir, "log");
        var stderr = new CapturedLog();
        using var sink = new SyslogSink("daemon", path, fallback: stderr);
        using (var logd = Listen(path))
        {
            sink.Write(LogLevel.Info, "before");
            Assert.EndsWith("routerha[" + Environment.ProcessId + "]: before", Receive(logd));
        }

        // logd gone, its socket file left behind (nobody reads it): the lines go to stderr, the writer notices nothing.
        sink.Write(LogLevel.Warning, "while away");
        Assert.False(sink.Connected);
        Assert.Equal(LogLevel.Warning, stderr.Lines[^1].Level);
        Assert.Equal("while away", stderr.Lines[^1].Text);

        // The restarted logd replaces the file with its new socket.
        File.Delete(path);
        using var restarted = Listen(path);
        sink.Write(LogLevel.Error, "after");
        Assert.Matches(@"^<27>.* routerha\[\d+\]: after$", Receive(restarted));
        Assert.True(sink.Connected);
        Assert.Contains(stderr.Lines, l => l.Text.Contains("reachable again", StringComparison.Ordinal));
        Assert.DoesNotContain(stderr.Lines, l => l.Text is "before" or "after");
    }

    private static Socket Listen(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        s.ReceiveTimeout = 5000;
        return s;
    }

    private static string Receive(Socket s)
    {
        var buffer = new byte[2048];
        return Encoding.UTF8.GetString(buffer, 0, s.Receive(buffer));
    }

    [Fact]
    public void UnknownFacilityIsRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => new SyslogSink("kern", Path.Combine(_dir, "absent")));
        Assert.Contains("kern", e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
