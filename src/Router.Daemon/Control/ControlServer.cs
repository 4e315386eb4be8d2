using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Router.Daemon.Control;

/// <summary>
/// Unix stream socket; each connection sends one request line and gets one response line. The
/// handler runs on the event loop (it is posted there), so status is a consistent snapshot.
/// A slow or silent client is cut after a few seconds and never holds anything of the loop.
/// </summary>
public sealed class ControlServer : IDisposable
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);
    private readonly Socket _listener;
    private readonly Func<ControlRequest, Task<ControlResponse>> _handler;
    private readonly CancellationTokenSource _stop = new();

    public ControlServer(string path, Func<ControlRequest, Task<ControlResponse>> handler)
    {
        _handler = handler;
        Path = path;
        var dir = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (File.Exists(path))
        {
            if (IsLive(path)) throw new IOException($"control socket {path} is in use: is another routerha running?");
            File.Delete(path);
        }
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        // Only root may steer the router.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(16);
        _ = AcceptLoopAsync();
    }

    public string Path { get; }

    private static bool IsLive(string path)
    {
        try
        {
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (SocketException) { continue; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        cts.CancelAfter(ClientTimeout);
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            var line = await ReadLineAsync(stream, cts.Token);
            ControlResponse response;
            ControlRequest? request = null;
            try { request = JsonSerializer.Deserialize(line, ControlJson.Default.ControlRequest); }
            catch (JsonException) { }
            response = request is null || string.IsNullOrEmpty(request.Cmd)
                ? new ControlResponse(false, "malformed request")
                : await _handler(request).WaitAsync(cts.Token);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(response, ControlJson.Default.ControlResponse);
            await stream.WriteAsync(bytes, cts.Token);
            await stream.WriteAsync("\n"u8.ToArray(), cts.Token);
        }
        catch (Exception) when (cts.IsCancellationRequested) { }
        catch (IOException) { }
        catch (SocketException) { }
    }

    /// <summary>Reads up to the first newline, at most 64 KiB.</summary>
    internal static async Task<string> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[4096];
        using var acc = new MemoryStream();
        while (acc.Length < 65536)
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) break;
            var nl = Array.IndexOf(buffer, (byte)'\n', 0, n);
            acc.Write(buffer, 0, nl < 0 ? n : nl);
            if (nl >= 0) break;
        }
        return Encoding.UTF8.GetString(acc.GetBuffer(), 0, (int)acc.Length);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try { File.Delete(Path); } catch (IOException) { }
    }
}
