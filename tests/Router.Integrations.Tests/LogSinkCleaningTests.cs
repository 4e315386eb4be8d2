using System.Net.Sockets;
using System.Text;
using Router.Integrations.Logging;
using Router.Integrations.Tests.Mqtt;

namespace Router.Integrations.Tests;

/// <summary>
/// Messages quote what peers, brokers and scripts sent: whatever they hold, each sink writes one clean, bounded line.
/// In the non-parallel collection because the stderr test swaps the process-wide Console.Error.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class LogSinkCleaningTests : IDisposable
{
    // A forged second record, a terminal escape (clear screen + title), a bidi override and a NUL.
    private const string Hostile = "peer hello from r2\nMay  1 00:00:00 routerha[1]: lan: MASTER -> BACKUP\u001b[2J\u001b]0;owned\u0007\u202etxt.exe\0end";
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-logclean-").FullName;

    [Fact]
    public void StderrWritesOneLineWithoutControlCharactersAndCutsALongMessage()
    {
        var captured = new StringWriter();
        var saved = Console.Error;
        Console.SetError(captured);
        try
        {
            var sink = new StderrSink();
            sink.Write(LogLevel.Warning, Hostile);
            sink.Write(LogLevel.Info, new string('x', 1_000_000));
        }
        finally { Console.SetError(saved); }

        var lines = captured.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.DoesNotContain(lines[0], c => char.IsControl(c) || c == '\u202e');
        Assert.Contains("r2 May  1 00:00:00 routerha[1]: lan: MASTER -> BACKUP?[2J?]0;owned??txt.exe?end", lines[0]);
        Assert.True(lines[1].Length < 1100, $"{lines[1].Length} characters");
        Assert.EndsWith("…(+999000)", lines[1]);
    }

    [Fact]
    public void SyslogSendsOneCleanBoundedDatagram()
    {
        var path = Path.Combine(_dir, "log");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.ReceiveTimeout = 5000;
        using var sink = new SyslogSink("daemon", path);

        sink.Write(LogLevel.Warning, Hostile);
        sink.Write(LogLevel.Info, new string('y', 100_000));

        var buffer = new byte[200_000];
        var first = Encoding.UTF8.GetString(buffer, 0, server.Receive(buffer));
        Assert.DoesNotContain(first, c => char.IsControl(c) || c == '\u202e');
        Assert.EndsWith("r2 May  1 00:00:00 routerha[1]: lan: MASTER -> BACKUP?[2J?]0;owned??txt.exe?end", first);
        var second = Encoding.UTF8.GetString(buffer, 0, server.Receive(buffer));
        Assert.True(second.Length < 1100, $"{second.Length} characters");
    }

    [Fact]
    public void TheFallbackGetsTheMessageAndCleansItItself()
    {
        // Without logd the syslog sink hands the raw message to its fallback: that one folds it too.
        var captured = new StringWriter();
        var saved = Console.Error;
        Console.SetError(captured);
        try
        {
            using var sink = new SyslogSink("daemon", Path.Combine(_dir, "absent"), fallback: new StderrSink());
            sink.Write(LogLevel.Error, Hostile);
        }
        finally { Console.SetError(saved); }
        var lines = captured.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length); // the "not reachable" notice and the message, one line each
        Assert.DoesNotContain(lines[1], c => char.IsControl(c));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
