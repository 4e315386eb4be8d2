using System.Net;
using System.Net.Sockets;

namespace Router.Integrations.Tests.Mqtt;

/// <summary>
/// Answers the first <c>hostile</c> connections with what <c>reply</c> gives (after reading the CONNECT) and holds
/// them open, as a broker streaming its announced body slowly would; later ones are relayed to <c>relayPort</c>.
/// </summary>
internal sealed class FakeBroker : IAsyncDisposable
{
    /// <summary>A fixed header: type/flags byte and the remaining length as MQTT's variable-length integer.</summary>
    public static byte[] Frame(byte header, int remaining)
    {
        var bytes = new List<byte> { header };
        do
        {
            var digit = (byte)(remaining % 128);
            remaining /= 128;
            bytes.Add(remaining > 0 ? (byte)(digit | 0x80) : digit);
        } while (remaining > 0);
        return [.. bytes];
    }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly Task _accept;
    private int _connections;

    public FakeBroker(int hostile, int relayPort, Func<int, byte[], byte[]> reply)
    {
        _listener.Start();
        _accept = AcceptAsync(hostile, relayPort, reply);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync(int hostile, int relayPort, Func<int, byte[], byte[]> reply)
    {
        try
        {
            while (true)
            {
                var c = await _listener.AcceptTcpClientAsync(_stop.Token);
                var n = Interlocked.Increment(ref _connections);
                lock (_held) _held.Add(c);
                _ = n <= hostile ? HostileAsync(c, n, reply) : RelayAsync(c, relayPort);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task HostileAsync(TcpClient c, int n, Func<int, byte[], byte[]> reply)
    {
        try
        {
            var s = c.GetStream();
            // The CONNECT's first bytes are enough to know the client spoke; its content does not matter here.
            var connect = new byte[2];
            await s.ReadExactlyAsync(connect, _stop.Token);
            await s.WriteAsync(reply(n, connect), _stop.Token);
            // Held open: the client must not wait for a body that never comes.
            while (await s.ReadAsync(new byte[64], _stop.Token) > 0) { }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
    }

    private async Task RelayAsync(TcpClient c, int port)
    {
        try
        {
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, port, _stop.Token);
            var a = c.GetStream();
            var b = upstream.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        finally { c.Dispose(); }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accept;
        lock (_held)
            foreach (var c in _held) c.Dispose();
        _stop.Dispose();
    }
}
