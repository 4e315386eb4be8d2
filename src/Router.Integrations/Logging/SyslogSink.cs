using System.Net.Sockets;
using System.Text;

namespace Router.Integrations.Logging;

/// <summary>
/// RFC 3164 datagrams to /dev/log (OpenWrt logd, journald, rsyslog all read this format), so
/// `logread` / `journalctl -t routerha` show our lines. No library here has a syslog sink, hence this.
/// A missing or full socket never blocks or throws: the line is dropped (stderr still has it).
/// </summary>
public sealed class SyslogSink : ILogSink, IDisposable
{
    private readonly Socket? _socket;
    private readonly int _facility;
    private readonly string _tag;
    private readonly object _gate = new();

    public SyslogSink(string facility, string path = "/dev/log", string tag = "routerha")
    {
        _facility = FacilityCode(facility);
        _tag = $"{tag}[{Environment.ProcessId}]";
        if (!File.Exists(path)) return;
        try
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
            s.Connect(new UnixDomainSocketEndPoint(path));
            _socket = s;
        }
        catch (SocketException)
        {
            _socket = null;
        }
    }

    public bool Connected => _socket is not null;

    public static int FacilityCode(string name) => name switch
    {
        "user" => 1,
        "daemon" => 3,
        "local0" => 16, "local1" => 17, "local2" => 18, "local3" => 19,
        "local4" => 20, "local5" => 21, "local6" => 22, "local7" => 23,
        _ => throw new ArgumentException($"unknown syslog facility '{name}'"),
    };

    public static int Severity(LogLevel level) => level switch
    {
        LogLevel.Debug => 7,
        LogLevel.Info => 6,
        LogLevel.Warning => 4,
        _ => 3,
    };

    /// <summary>"&lt;PRI&gt;Mmm dd hh:mm:ss TAG: MSG" with newlines folded so one event stays one line.</summary>
    public string Format(LogLevel level, string message, DateTime localNow)
    {
        var pri = _facility * 8 + Severity(level);
        var text = message.Replace('\n', ' ').Replace('\r', ' ');
        var month = localNow.ToString("MMM", System.Globalization.CultureInfo.InvariantCulture);
        return $"<{pri}>{month} {localNow.Day,2} {localNow:HH:mm:ss} {_tag}: {text}";
    }

    public void Write(LogLevel level, string message)
    {
        if (_socket is null) return;
        var bytes = Encoding.UTF8.GetBytes(Format(level, message, DateTime.Now));
        lock (_gate)
        {
            try { _socket.Send(bytes); }
            catch (SocketException) { /* logd restarting or queue full: stderr has the line */ }
        }
    }

    public void Dispose() => _socket?.Dispose();
}
