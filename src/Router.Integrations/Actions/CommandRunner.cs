using System.Diagnostics;
using System.Text;

namespace Router.Integrations.Actions;

/// <summary>An action that did not do what it should; the message goes to status as the step's error.</summary>
public sealed class ActionFailedException(string message) : Exception(message);

/// <summary>Exit code and the tail of stdout+stderr of one finished command.</summary>
public sealed record CommandOutcome(int ExitCode, string Output);

/// <summary>
/// Runs one external command without a shell. Bare names are looked up in <see cref="SearchPath"/>, which the
/// command also gets as PATH (OpenWrt's init scripts call uci and ubus by name). Cancelling kills the whole
/// process tree and waits for it, so a cancelled step is really over before the next one starts.
/// </summary>
public sealed class CommandRunner(string? searchPath = null)
{
    private const int OutputTail = 400;

    public string SearchPath { get; } = searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";

    public async Task<CommandOutcome> RunAsync(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var psi = new ProcessStartInfo(Resolve(argv[0]))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        for (var i = 1; i < argv.Count; i++) psi.ArgumentList.Add(argv[i]);
        psi.Environment["PATH"] = SearchPath;
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;

        using var p = new Process { StartInfo = psi };
        var output = new StringBuilder();
        void Collect(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        }
        p.OutputDataReceived += Collect;
        p.ErrorDataReceived += Collect;
        try { p.Start(); }
        catch (System.ComponentModel.Win32Exception e) { throw new ActionFailedException($"{argv[0]}: {e.Message}"); }
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            await p.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await p.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        string text;
        lock (output) text = output.ToString().Trim();
        return new CommandOutcome(p.ExitCode, text.Length > OutputTail ? "…" + text[^OutputTail..] : text);
    }

    /// <summary>Runs and throws <see cref="ActionFailedException"/> unless the exit code is 0.</summary>
    public async Task RunCheckedAsync(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var r = await RunAsync(argv, environment, cancellationToken);
        if (r.ExitCode != 0)
            throw new ActionFailedException($"{string.Join(' ', argv)}: exit code {r.ExitCode}{(r.Output.Length > 0 ? ": " + r.Output : "")}");
    }

    private string Resolve(string file)
    {
        if (file.Contains('/')) return file;
        foreach (var dir in SearchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new ActionFailedException($"{file}: not found in PATH ({SearchPath})");
    }
}
