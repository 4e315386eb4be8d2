using System.Net.Sockets;
using System.Text;

namespace Router.Integrations.Logging;

/// <summary>
/// RFC 3164 datagrams to /dev/log (OpenWrt logd, journald, rsyslog all read this format), so
/// `logread` / `journalctl -t routerha` show our lines. No library here has a syslog sink, hence this.
/// Every line is addressed to the path afresh rather than through a connected socket: when logd restarts
/// (a new socket at the same path) the next line simply reaches the new one. While nothing listens there the
/// lines go to the fallback sink (stderr), with one line saying so each way. Writing never blocks or throws.
/// </summary>
public sealed class SyslogSink : ILogSink, IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
    private readonly UnixDomainSocketEndPoint _endpoint;
    private readonly ILogSink? _fallback;
    private readonly string _path;
    private readonly int _facility;
    private readonly string _tag;
    private readonly object _gate = new();
    private string? _failure;

    public SyslogSink(string facility, string path = "/dev/log", string tag = "routerha", ILogSink? fallback = null)
    {
        _facility = FacilityCode(facility);
        _path = path;
        _endpoint = new UnixDomainSocketEndPoint(path);
        _tag = $"{tag}[{Environment.ProcessId}]";
        _fallback = fallback;
    }

    /// <summary>The last line reached the syslog socket (true before the first line).</summary>
    public bool Connected
    {
        get { lock (_gate) return _failure is null; }
    }

    public static int FacilityCode(string name) => name switch
    {
        "user" => 1,
        "daemon" => 3,
        "local0" => 16,
        "local1" => 17,
        "local2" => 18,
        "local3" => 19,
        "local4" => 20,
        "local5" => 21,
        "local6" => 22,
        "local7" => 23,
        _ => throw new ArgumentException($"unknown syslog facility '{name}'"),
    };

    public static int Severity(LogLevel level) => level switch
    {
        LogLevel.Debug => 7,
        LogLevel.Info => 6,
        LogLevel.Warning => 4,
        _ => 3,
    };

    /// <summary>"&lt;PRI&gt;Mmm dd hh:mm:ss TAG: MSG", the message folded to one clean, bounded line (<see cref="LogLine"/>).</summary>
    public string Format(LogLevel level, string message, DateTime localNow)
    {
        var pri = _facility * 8 + Severity(level);
        var text = LogLine.Fold(message);
        var month = localNow.ToString("MMM", System.Globalization.CultureInfo.InvariantCulture);
        return $"<{pri}>{month} {localNow.Day,2} {localNow:HH:mm:ss} {_tag}: {text}";
    }

    public void Write(LogLevel level, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(Format(level, message, DateTime.Now));
        lock (_gate)
        {
            string? error;
            try
            {
                _socket.SendTo(bytes, _endpoint);
                error = null;
            }
            // ENOENT / ECONNREFUSED: logd is restarting or gone; EAGAIN: its queue is full.
            catch (SocketException e) { error = e.SocketErrorCode.ToString(); }
            if (error is null && _failure is not null)
            {
                _fallback?.Write(LogLevel.Info, $"syslog {_path} reachable again, logging there");
                _failure = null;
            }
            else if (error is not null)
            {
                if (_failure is null)
                    _fallback?.Write(LogLevel.Warning, $"syslog {_path} not reachable ({error}): logging to stderr until it is");
                _failure = error;
                _fallback?.Write(level, message);
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
