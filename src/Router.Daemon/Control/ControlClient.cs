using System.Net.Sockets;
using System.Text.Json;

namespace Router.Daemon.Control;

/// <summary>The CLI side of the control socket.</summary>
public static class ControlClient
{
    public static async Task<ControlResponse> SendAsync(string path, ControlRequest request, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await s.ConnectAsync(new UnixDomainSocketEndPoint(path), cts.Token);
        }
        catch (SocketException e)
        {
            throw new IOException($"cannot reach routerha at {path}: {e.Message} (is the daemon running? -s sets the socket path)");
        }
        await using var stream = new NetworkStream(s, ownsSocket: false);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(request, ControlJson.Default.ControlRequest);
        await stream.WriteAsync(bytes, cts.Token);
        await stream.WriteAsync("\n"u8.ToArray(), cts.Token);
        var line = await ControlServer.ReadLineAsync(stream, cts.Token);
        return JsonSerializer.Deserialize(line, ControlJson.Default.ControlResponse)
               ?? throw new IOException("empty answer from routerha");
    }
}
