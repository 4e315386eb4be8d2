using System.Diagnostics;
using System.Text;

namespace Router.LabKit;

/// <summary>
/// A long-running process started inside a namespace with `ip netns exec` (which execs, so the pid is the
/// program's own). Output goes to a log kept in memory for failure messages; the pid is tracked run-wide.
/// </summary>
public sealed class LabProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    public int Pid { get; }
    public string Description { get; }

    private readonly Action<string>? _onLine;

    private LabProcess(Process process, string description, Action<string>? onLine)
    {
        _onLine = onLine;
        _process = process;
        Pid = process.Id;
        Description = description;
    }

    public static LabProcess Start(Netns ns, string file, IEnumerable<string> args, Action<string>? onLine = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["netns", "exec", ns.Name, file, .. args]) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var lp = new LabProcess(p, $"{file} in {ns.Name}", onLine);
        LabRun.TrackPid(lp.Pid);
        p.OutputDataReceived += (_, e) => lp.Append(e.Data);
        p.ErrorDataReceived += (_, e) => lp.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return lp;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            _log.AppendLine(line);
            _onLine?.Invoke(line);
        }
    }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public string LogTail(int lines = 25)
    {
        var all = Log.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public void Kill9()
    {
        if (!_process.HasExited) Native.Kill(Pid, Native.SIGKILL);
    }

    public void SendTerm() => Native.Kill(Pid, Native.SIGTERM);

    /// <summary>SIGHUP (dnsmasq: re-read files, call the script with "old" for every lease).</summary>
    public void SendHangup() => Native.Kill(Pid, 1);

    /// <summary>Waits for exit up to the timeout; returns the exit code, or null if it is still running.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { return null; }
        LabRun.ForgetPid(Pid);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Native.Kill(Pid, Native.SIGKILL);
            _process.WaitForExit(5000);
        }
        LabRun.ForgetPid(Pid);
        _process.Dispose();
    }
}
