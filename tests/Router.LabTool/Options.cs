using Router.LabKit;

namespace Router.LabTool;

/// <summary>Command line: VERB [--daemon routerha|keepalived|both] [--reps N] [--quick].</summary>
public sealed record Options(string Verb, IReadOnlyList<DaemonKind> Daemons, int Reps, bool Quick)
{
    /// <summary>bench-handoff only: run one scenario (linkdown, kill-9, sigstop) instead of all three.</summary>
    public string? Scenario { get; init; }

    public const string Usage =
        "usage: labtool demo [--daemon routerha|keepalived]\n" +
        "       labtool bench [--daemon routerha|keepalived|both] [--reps N] [--quick]\n" +
        "       labtool bench-tunnel [--reps N]   (only the WAN/tunnel takeover figures of issue 3)\n" +
        "       labtool bench-leases [--quick]    (only the lease store and replication figures of issue 4)\n" +
        "       labtool bench-package [--reps N] [--quick]  (only the artifact figures: sizes, start-up, idle memory, arm64 VM)\n" +
        "       labtool bench-handoff [--daemon routerha|keepalived|both] [--reps N] [--scenario linkdown|kill-9|sigstop]\n" +
        "                                         (only issue 12's link-down / kill -9 with heartbeats / SIGSTOP scenarios at 1 s adverts)\n" +
        "  --quick: 100 ms adverts only, 2 repetitions, 10 s idle window (unless --reps is given)";

    public static Options Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("demo" or "bench" or "bench-tunnel" or "bench-leases" or "bench-handoff" or "bench-package"))
            throw new ArgumentException("first argument must be demo, bench, bench-tunnel, bench-leases, bench-handoff or bench-package");
        var verb = args[0];
        var daemon = verb == "demo" ? "routerha" : "both";
        int? reps = null;
        var quick = false;
        string? scenario = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--reps" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    reps = n;
                    i++;
                    break;
                case "--scenario" when verb == "bench-handoff" && i + 1 < args.Length && args[i + 1] is "linkdown" or "kill-9" or "sigstop":
                    scenario = args[++i];
                    break;
                case "--daemon" when i + 1 < args.Length:
                    daemon = args[++i];
                    break;
                default: throw new ArgumentException($"unknown or incomplete option '{args[i]}'");
            }
        }
        IReadOnlyList<DaemonKind> daemons = daemon switch
        {
            "routerha" => [DaemonKind.RouterHa],
            "keepalived" => [DaemonKind.Keepalived],
            "both" when verb is "bench" or "bench-tunnel" or "bench-leases" or "bench-handoff" or "bench-package" => [DaemonKind.RouterHa, DaemonKind.Keepalived],
            _ => throw new ArgumentException($"--daemon '{daemon}' not valid for {verb}"),
        };
        return new Options(verb, daemons, reps ?? (quick ? 2 : 5), quick) { Scenario = scenario };
    }

    public static string Name(DaemonKind k) => k == DaemonKind.RouterHa ? "routerha" : "keepalived";
}
