using Router.LabKit;
using Router.LabTool;

// Ctrl+C cancels the running step; the normal Dispose path then kills the daemons and deletes the namespaces.
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

if (!IsRoot())
{
    Console.Error.WriteLine("labtool: needs root (network namespaces, raw sockets)");
    return 2;
}

Options opts;
try { opts = Options.Parse(args); }
catch (ArgumentException e)
{
    Console.Error.WriteLine($"labtool: {e.Message}\n{Options.Usage}");
    return 2;
}

int rc;
try
{
    rc = opts.Verb switch
    {
        "demo" => await Demo.RunAsync(opts, cts.Token),
        "bench" => await Bench.RunAsync(opts, cts.Token),
        "bench-tunnel" => await RunTunnelBench(opts.Reps, cts.Token),
        "bench-leases" => await RunLeaseBench(opts.Quick, cts.Token),
        "bench-handoff" => await HandoffBench.RunStandaloneAsync(opts, cts.Token),
        "bench-package" => await PackageBench.RunStandaloneAsync(opts, cts.Token),
        _ => throw new InvalidOperationException("unreachable: verb validated by Options.Parse"),
    };
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("labtool: interrupted");
    rc = 130;
}
catch (Exception e) when (e is FileNotFoundException or TimeoutException or InvalidOperationException)
{
    Console.Error.WriteLine($"labtool: {e.Message}");
    rc = 1;
}

var left = LabRun.ListOwnNamespaces();
Console.WriteLine(left.Count == 0
    ? "cleanup: no lab namespaces left"
    : $"cleanup: namespaces still present: {string.Join(' ', left)}");
return left.Count == 0 ? rc : Math.Max(rc, 1);

static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal)
    && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");

static async Task<int> RunTunnelBench(int runs, CancellationToken ct)
{
    RouterHaBinary.Require();
    await TunnelBench.RunAsync(runs, ct);
    return 0;
}

static async Task<int> RunLeaseBench(bool quick, CancellationToken ct)
{
    RouterHaBinary.Require();
    await LeaseBench.RunAsync(quick, ct);
    return 0;
}
