using System.Net.Sockets;
using System.Text;

namespace Router.Integrations.Supervision;

/// <summary>
/// systemd's sd_notify protocol, written here because it is one datagram: newline-separated KEY=VALUE assignments sent
/// to the AF_UNIX SOCK_DGRAM socket named by $NOTIFY_SOCKET, a path or, after '@', an abstract name. Non-blocking: a
/// full queue at systemd's end is reported, never waited for, since the event loop is the caller.
/// </summary>
public sealed class SdNotify : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };

    public SdNotify(string notifySocket)
    {
        Address = notifySocket;
        EndPoint = ToEndPoint(notifySocket);
    }

    /// <summary>$NOTIFY_SOCKET as given.</summary>
    public string Address { get; }

    public UnixDomainSocketEndPoint EndPoint { get; }

    /// <summary>'/run/systemd/notify' is a path; '@name' is the abstract name "\0name" (Linux).</summary>
    public static UnixDomainSocketEndPoint ToEndPoint(string notifySocket)
    {
        ArgumentException.ThrowIfNullOrEmpty(notifySocket);
        if (notifySocket[0] == '@') return new UnixDomainSocketEndPoint("\0" + notifySocket[1..]);
        if (notifySocket[0] == '/') return new UnixDomainSocketEndPoint(notifySocket);
        throw new ArgumentException($"NOTIFY_SOCKET '{notifySocket}' is neither an absolute path nor an @abstract name", nameof(notifySocket));
    }

    /// <summary>One datagram "K=V\nK=V" (sd_notify's state string: no trailing newline needed, none added).</summary>
    public static string Format(params (string Key, string Value)[] assignments)
    {
        // A loop, not LINQ over the value tuples (binary size: toolchain/README.md, "Size options").
        var lines = new string[assignments.Length];
        for (var i = 0; i < assignments.Length; i++) lines[i] = $"{assignments[i].Key}={assignments[i].Value.ReplaceLineEndings(" ")}";
        return string.Join('\n', lines);
    }

    /// <summary>Sends one state string; null on success, else why not.</summary>
    public string? Send(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, EndPoint);
            return null;
        }
        catch (SocketException e)
        {
            return $"sd_notify to {Address}: {e.SocketErrorCode}: {e.Message}";
        }
        catch (ObjectDisposedException)
        {
            return "sd_notify socket closed";
        }
    }

    public void Dispose() => _socket.Dispose();
}
