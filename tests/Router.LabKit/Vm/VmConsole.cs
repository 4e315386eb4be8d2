using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Router.LabKit.Vm;

/// <summary>
/// The serial console of a VM (QEMU's chardev socket; QEMU also writes everything to the console log).
/// Commands are wrapped in markers the shell prints (never echoes: they are built by printf), so their
/// output and exit code are read from the byte stream.
/// </summary>
public sealed class VmConsole : IDisposable
{
    private readonly Socket _socket;
    private readonly StringBuilder _text = new();
    private readonly object _gate = new();
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly Task _reader;
    private int _next;

    private VmConsole(Socket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadLoop);
    }

    /// <summary>Connects to QEMU's console socket (QEMU holds the guest until this connection is made).</summary>
    public static async Task<VmConsole> ConnectAsync(string path, Func<bool> qemuExited, TimeSpan timeout)
    {
        Socket? s = null;
        await Wait.UntilAsync(() =>
        {
            if (qemuExited()) throw new InvalidOperationException($"qemu exited before its console {path} appeared");
            if (!File.Exists(path)) return false;
            var attempt = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try { attempt.Connect(new UnixDomainSocketEndPoint(path)); s = attempt; return true; }
            catch (SocketException) { attempt.Dispose(); return false; }
        }, timeout, $"console socket {path}");
        return new VmConsole(s!);
    }

    /// <summary>Everything the console printed so far, carriage returns removed.</summary>
    public string Text { get { lock (_gate) return _text.ToString(); } }

    private void ReadLoop()
    {
        var buf = new byte[4096];
        try
        {
            int n;
            while ((n = _socket.Receive(buf)) > 0)
            {
                var s = Encoding.UTF8.GetString(buf, 0, n).Replace("\r", "", StringComparison.Ordinal);
                lock (_gate) _text.Append(s);
            }
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    private void Send(string text) => _socket.Send(Encoding.UTF8.GetBytes(text));

    public Task WaitForAsync(string text, TimeSpan timeout) =>
        Wait.UntilAsync(() => Text.Contains(text, StringComparison.Ordinal), timeout, $"'{text}' on the console", () => Tail(Text));

    /// <summary>
    /// Gets a shell that answers: the first bytes typed while the console shell starts can be lost, so a
    /// probe is sent until its answer comes back; then echo is turned off.
    /// </summary>
    public async Task AttachShellAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // Unique per console: a re-attach must not match an earlier shell's answer.
            var probe = $"S{Interlocked.Increment(ref _next)}";
            Send($"\nprintf ':%s:\\n' {probe}\n");
            try
            {
                await Wait.UntilAsync(() => Text.Contains($":{probe}:", StringComparison.Ordinal), TimeSpan.FromMilliseconds(700), "shell");
                break;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline) { }
        }
        await RunOnceAsync("stty -echo; PS1=", TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// Runs a shell command line on the console; its output and exit code. If the console shell was replaced
    /// meanwhile (busybox init respawns it; seen once in a full CI run, cause not found), the new shell lost the
    /// command: attach to it and run the command once more.
    /// </summary>
    public async Task<(int Code, string Output)> RunAsync(string command, TimeSpan timeout)
    {
        try { return await RunOnceAsync(command, timeout); }
        catch (ShellRespawnedException)
        {
            await AttachShellAsync(TimeSpan.FromSeconds(30));
            return await RunOnceAsync(command, timeout);
        }
    }

    private const string ShellBanner = "built-in shell (ash)";

    private sealed class ShellRespawnedException() : Exception("the console shell was respawned");

    private async Task<(int Code, string Output)> RunOnceAsync(string command, TimeSpan timeout)
    {
        await _one.WaitAsync();
        try
        {
            var id = Interlocked.Increment(ref _next);
            int from;
            lock (_gate) from = _text.Length;
            Send($"printf ':%s:\\n' B{id}; {command}\nprintf ':%s:%s:\\n' E{id} $?\n");
            var end = new Regex($@":E{id}:(\d+):");
            var m = Match.Empty;
            var text = "";
            await Wait.UntilAsync(() =>
            {
                text = Text[from..];
                m = end.Match(text);
                if (!m.Success && text.Contains(ShellBanner, StringComparison.Ordinal)) throw new ShellRespawnedException();
                return m.Success;
            }, timeout,
                $"`{command}` to finish", () => Tail(text));
            var begin = text.IndexOf($":B{id}:\n", StringComparison.Ordinal);
            var start = begin < 0 ? 0 : begin + $":B{id}:\n".Length;
            return (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), text[start..m.Index]);
        }
        finally { _one.Release(); }
    }

    /// <summary>Runs a command that must succeed; its output.</summary>
    public async Task<string> CheckAsync(string command, TimeSpan? timeout = null)
    {
        var (code, output) = await RunAsync(command, timeout ?? TimeSpan.FromSeconds(30));
        if (code != 0) throw new InvalidOperationException($"`{command}` exited {code}:{Environment.NewLine}{output}");
        return output;
    }

    public static string Tail(string text, int lines = 40) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));

    public void Dispose()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
        _socket.Dispose();
        _reader.Wait(TimeSpan.FromSeconds(2));
        _one.Dispose();
    }
}
