using System.Globalization;

namespace Router.Daemon.Tests.Kit;

/// <summary>What a pair's config contains besides the instance: actions, peer, tracks, sync groups.</summary>
internal sealed record PairOptions
{
    public double AdvertSeconds { get; init; } = 1;
    /// <summary>WAN (link), tunnel (fenced) and DHCP command actions.</summary>
    public bool Actions { get; init; } = true;
    public bool Peer { get; init; } = true;
    public double FenceWindowSeconds { get; init; } = 6;
    /// <summary>`option fence_command` on the peer (the routers' <see cref="TestRouter.Agent"/> runs it).</summary>
    public bool FenceCommand { get; init; }
    /// <summary>The WAN action fenced, as openwrt_wan and link are by default.</summary>
    public bool FencedWan { get; init; }
    /// <summary>A second instance 'lan6'... in a sync group with 'lan' (IPv4 here: the fake LAN is one segment).</summary>
    public bool SyncGroup { get; init; }
    public bool Preempt { get; init; } = true;
    /// <summary>A lease store per router (SQLite in a temporary directory) and a lease file handed to dnsmasq.</summary>
    public bool Leases { get; init; }
    /// <summary>`option max_rows` of the lease store; null = the default.</summary>
    public int? MaxRows { get; init; }
    /// <summary>A second peer path 'cable' (a dedicated link) after 'lan'.</summary>
    public bool Cable { get; init; }
    /// <summary>The peer path 'lan' (between the routers' LAN addresses, their advert sources); off needs Cable.</summary>
    public bool LanPath { get; init; } = true;
    public double HeartbeatSeconds { get; init; } = 1;
    public double DeadSeconds { get; init; } = 3;
    /// <summary>Router A's service watchdog (a <see cref="FakeWatchdog"/>); null = none.</summary>
    public Router.Integrations.Supervision.IServiceWatchdog? WatchdogA { get; init; }
    /// <summary>Actions whose fake backend has a drift check (continuous enforcement).</summary>
    public IReadOnlyCollection<string> DriftChecked { get; init; } = [];
    /// <summary>`option enforce_interval`; null = the default (5 s).</summary>
    public double? EnforceSeconds { get; init; }
}

/// <summary>
/// Two routerha daemons, A (priority 150) and B (100), on one fake LAN with a fake peer channel, stepped on one
/// manual clock: each step delivers every pending event, then jumps the clock to the earliest deadline.
/// </summary>
internal sealed class TestPair : IDisposable
{
    public const string Vip = "192.168.1.254";
    public const string Vip2 = "192.168.1.253";
    private const int MaxTurnsPerInstant = 10_000;
    private readonly HashSet<TestRouter> _exited = [];

    private readonly string _dir = Directory.CreateTempSubdirectory("routerha-daemon-test-").FullName;

    /// <summary>Where the routers' files live (with leases: a.db, b.db, a.leases, b.leases).</summary>
    public string Dir => _dir;

    public TestPair(PairOptions? options = null, ManualClock? clock = null)
    {
        Clock = clock ?? new ManualClock();
        Options = options ?? new PairOptions();
        A = new TestRouter("router-a", Uci('a', 150, "192.168.1.2", "192.168.1.3"), Lan, Peers, Clock, "192.168.1.2", Options.WatchdogA,
            Options.DriftChecked);
        B = new TestRouter("router-b", Uci('b', 100, "192.168.1.3", "192.168.1.2"), Lan, Peers, Clock, "192.168.1.3", null, Options.DriftChecked);
    }

    public PairOptions Options { get; }
    public ManualClock Clock { get; }
    public FakeLan Lan { get; } = new();
    public FakePeerNet Peers { get; } = new();
    public TestRouter A { get; }
    public TestRouter B { get; }
    public IEnumerable<TestRouter> Routers => [A, B];

    public TimeSpan Now => Clock.Elapsed;

    /// <summary>Both start at the same instant, and the pair runs until A is MASTER with its role plan done.</summary>
    public void StartAndElect()
    {
        foreach (var r in Routers) r.Daemon.Start();
        RunUntil(() => A.State() == "MASTER" && B.State() == "BACKUP" && A.Status().Role?.Finished != false, TimeSpan.FromSeconds(30), "A elected MASTER");
    }

    /// <summary>Delivers events until no router has one pending (what happens "at the same instant").</summary>
    public void Settle()
    {
        for (var turns = 0; turns < MaxTurnsPerInstant; turns++)
        {
            var any = false;
            foreach (var r in Routers.Where(r => !r.Daemon.Finished))
                if (r.Daemon.TakePending() is { } e)
                {
                    r.Daemon.Turn(e);
                    any = true;
                }
            if (!any)
            {
                ExitFinished();
                return;
            }
        }
        throw new InvalidOperationException($"still busy after {MaxTurnsPerInstant} events at {Now}: a loop between the routers?");
    }

    /// <summary>A daemon whose loop has ended exits: what runs off its loop stops (its peer channel says goodbye).</summary>
    private void ExitFinished()
    {
        foreach (var r in Routers.Where(r => r.Daemon.Finished && !_exited.Contains(r)))
        {
            _exited.Add(r);
            r.Daemon.Stop();
        }
    }

    /// <summary>Runs until the condition holds; fails naming <paramref name="what"/> when it does not within the limit.</summary>
    public void RunUntil(Func<bool> done, TimeSpan limit, string what)
    {
        var end = Now + limit;
        var sameInstant = 0;
        Settle();
        while (!done())
        {
            var next = Routers.Where(r => !r.Daemon.Finished).Select(r => r.Daemon.NextDeadline).Where(d => d is not null).Min();
            if (next is null || next > end)
                throw new TimeoutException($"not within {limit.TotalSeconds} s: {what} (at {Now.TotalSeconds:0.###} s)\n" +
                                           $"A: {string.Join("\n   ", A.Log.TakeLast(15))}\nB: {string.Join("\n   ", B.Log.TakeLast(15))}");
            sameInstant = next <= Now ? sameInstant + 1 : 0;
            if (sameInstant > MaxTurnsPerInstant) throw new InvalidOperationException($"a deadline at {next} never clears");
            Clock.AdvanceTo(next.Value);
            foreach (var r in Routers.Where(r => !r.Daemon.Finished)) r.Daemon.Turn(null);
            Settle();
        }
    }

    /// <summary>Lets time pass (every deadline on the way fires).</summary>
    public void RunFor(TimeSpan span)
    {
        var end = Now + span;
        RunUntil(() => Now >= end || Routers.All(r => r.Daemon.NextDeadline is not { } d || d > end), span + TimeSpan.FromTicks(1), $"{span} passing");
        Clock.AdvanceTo(end);
        foreach (var r in Routers.Where(r => !r.Daemon.Finished)) r.Daemon.Turn(null);
        Settle();
    }

    public void Dispose()
    {
        foreach (var r in Routers) r.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Uci(char which, int priority, string own, string peer)
    {
        var o = Options;
        var s = string.Create(CultureInfo.InvariantCulture, $"""
            config global 'main'
            	option node_name 'router-{which}'
            	option control_socket '/nonexistent/routerha-{which}.sock'
            	option syslog '0'
            	{(o.EnforceSeconds is { } enforce ? $"option enforce_interval '{enforce}'" : "")}

            config instance 'lan'
            	option interface 'lan0'
            	option vrid '51'
            	option priority '{priority}'
            	option advert_interval '{o.AdvertSeconds}'
            	option preempt '{(o.Preempt ? 1 : 0)}'
            	list vip '{Vip}/24'

            """);
        if (o.SyncGroup)
            s += string.Create(CultureInfo.InvariantCulture, $"""
                config instance 'lan2'
                	option interface 'lan0'
                	option vrid '52'
                	option priority '{priority}'
                	option advert_interval '{o.AdvertSeconds}'
                	list vip '{Vip2}/24'

                config sync_group 'gw'
                	list instance 'lan'
                	list instance 'lan2'

                """);
        if (o.Actions)
            s += $$"""
                config action 'wan'
                	option kind 'command'
                	option start '/bin/true wan up'
                	option stop '/bin/true wan down'
                	option retries '0'
                	option fenced '{{(o.FencedWan ? 1 : 0)}}'

                config action 'vpn'
                	option kind 'command'
                	option start '/bin/true vpn up'
                	option stop '/bin/true vpn down'
                	option fenced '1'
                	option retries '0'

                config action 'dhcp'
                	option kind 'command'
                	option dhcp '1'
                	option start '/bin/true dhcp up'
                	option stop '/bin/true dhcp down'
                	option retries '0'

                """;
        if (o.Peer)
            s += string.Create(CultureInfo.InvariantCulture, $"""
                config peer 'other'
                	{(o.LanPath ? $"list path 'lan {own} {peer}'" : "")}
                	option secret 'a test secret that is long enough 0123456789'
                	option heartbeat_interval '{o.HeartbeatSeconds}'
                	option dead_interval '{o.DeadSeconds}'
                	option fence_window '{o.FenceWindowSeconds}'
                	{(o.FenceCommand ? "option fence_command '/usr/local/bin/fence-peer --hard'" : "")}

                """);
        if (o is { Peer: true, Cable: true })
            s = s.TrimEnd() + $"\n\tlist path 'cable 10.9.0.{which - 'a' + 1} 10.9.0.{'b' - which + 1}'\n\n";
        if (o.Leases)
            s += $"""
                config leases
                	option db_path '{_dir}/{which}.db'
                	option lease_file '{_dir}/{which}.leases'
                	{(o.MaxRows is { } max ? $"option max_rows '{max}'" : "")}

                """;
        return s;
    }
}
