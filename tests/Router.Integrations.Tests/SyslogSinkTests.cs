using System.Net.Sockets;
using System.Text;
using Router.Integrations.Logging;

namespace Router.Integrations.Tests;

public sealed class SyslogSinkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-syslog-").FullName;

    [Theory]
    [InlineData("daemon", LogLevel.Info, 30)]     // 3*8+6
    [InlineData("daemon", LogLevel.Error, 27)]    // 3*8+3
    [InlineData("local0", LogLevel.Warning, 132)] // 16*8+4
    [InlineData("user", LogLevel.Debug, 15)]      // 1*8+7
    public void A_real_datagram_socket_receives_one_rfc3164_line_with_the_right_priority(string facility, LogLevel level, int pri)
    {
        var path = Path.Combine(_dir, "log");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.ReceiveTimeout = 5000;

        using var sink = new SyslogSink(facility, path);
        Assert.True(sink.Connected);
        sink.Write(level, "lan: BACKUP -> MASTER\n(master down)");

        var buffer = new byte[2048];
        var n = server.Receive(buffer);
        var line = Encoding.UTF8.GetString(buffer, 0, n);
        Assert.Matches($@"^<{pri}>[A-Z][a-z]{{2}} [ 1-3][0-9] \d\d:\d\d:\d\d routerha\[{Environment.ProcessId}\]: lan: BACKUP -> MASTER \(master down\)$", line);
    }

    [Fact]
    public void No_socket_means_no_output_and_no_exception()
    {
        using var sink = new SyslogSink("daemon", Path.Combine(_dir, "absent"));
        Assert.False(sink.Connected);
        sink.Write(LogLevel.Error, "dropped quietly");
    }

    [Fact]
    public void Unknown_facility_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => new SyslogSink("kern", Path.Combine(_dir, "absent")));
        Assert.Contains("kern", e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
