using System.Collections.Concurrent;
using System.Net;
using Router.Core.Config;
using Router.Daemon.Control;
using Router.Integrations.Events;
using Router.Integrations.Logging;

namespace Router.Daemon.Tests.Kit;

/// <summary>One routerha daemon with in-memory ports: its kernel, its LAN socket, its action backends, its peer end.</summary>
internal sealed class TestRouter : IDisposable
{
    private readonly MemorySink _sink = new();
    private readonly Leases.LeaseBook? _leases;

    public TestRouter(string name, string uci, FakeLan lan, FakePeerNet peers, ManualClock clock, string address,
        Router.Integrations.Supervision.IServiceWatchdog? watchdog = null, IReadOnlyCollection<string>? driftChecked = null)
    {
        Name = name;
        Kernel.AddLink("lan0", 2, address + "/24");
        ConfigPath = Path.Combine(Path.GetTempPath(), $"routerha-daemon-test-{Guid.NewGuid():N}");
        File.WriteAllText(ConfigPath, uci);
        var errors = new List<ConfigError>();
        var config = ConfigFile.Load(ConfigPath, Kernel, errors)
                     ?? throw new InvalidOperationException(string.Join("\n", errors));
        Steps = new FakeSteps(() => Daemon!.Now);
        foreach (var a in driftChecked ?? []) Steps.Checked.Add(a);
        Agent = new FakeFenceAgent(() => Daemon!.Now);
        var ports = new DaemonPorts(Kernel, () => Kernel, Kernel,
            (link, ic) => Socket = new FakeVrrpSocket(lan, name, IPAddress.Parse(address), link.Index), () => throw new NotSupportedException())
        {
            StartReceiving = (socket, onPacket, _) =>
            {
                lan.Attach((FakeVrrpSocket)socket);
                return ((FakeVrrpSocket)socket).StartReceiving(onPacket);
            },
            OpenActions = (_, report, enforcement) => Steps.Attach(report, enforcement),
            OpenFenceAgent = (_, report) => Agent.Attach(report),
            OpenPeer = (options, onEvent) => peers.Open(name, options, onEvent),
            Watchdog = watchdog,
        };
        var log = new Log(LogLevel.Debug, _sink);
        if (config.Leases is { } leases) _leases = Leases.LeaseBook.Open(leases.DbPath, name, log.Warn, clock.GetUtcNow(),
            Leases.LeaseSettings.LimitsOf(leases), Leases.LeaseDriver.LoopBusyMs);
        LeaseFile = config.Leases?.LeaseFile;
        Daemon = new RouterDaemon(config, ports, log, clock, [Views], _leases);
        Kernel.Events = e => Daemon.Post(new KernelChanged(e));
    }

    public string Name { get; }

    public string ConfigPath { get; }

    /// <summary>Where this router hands dnsmasq the merged leases when it becomes MASTER (null without leases).</summary>
    public string? LeaseFile { get; }

    public FakeKernel Kernel { get; } = new();

    public FakeVrrpSocket? Socket { get; private set; }

    public FakeSteps Steps { get; }

    /// <summary>Runs of `fence_command` (configured with <see cref="PairOptions.FenceCommand"/>).</summary>
    public FakeFenceAgent Agent { get; }

    public ViewRecorder Views { get; } = new();

    public RouterDaemon Daemon { get; }

    public IReadOnlyList<string> Log => _sink.Lines.ToArray();

    public bool HasVip(string address = TestPair.Vip) => Kernel.Has("lan0", address);

    public StatusReport Status() => Ask(new ControlRequest("status")).Status!;

    public string State(string instance = "lan") => Status().Instances.Single(i => i.Name == instance).State;

    /// <summary>A control request handled on this loop turn (the loop answers it synchronously).</summary>
    public ControlResponse Ask(ControlRequest request)
    {
        var reply = new TaskCompletionSource<ControlResponse>();
        Daemon.Turn(new ControlArrived(request, reply));
        return reply.Task.IsCompleted ? reply.Task.Result : throw new InvalidOperationException("the loop did not answer");
    }

    public void Dispose()
    {
        Daemon.Stop();
        _leases?.Dispose();
        File.Delete(ConfigPath);
    }

    private sealed class MemorySink : ILogSink
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public void Write(LogLevel level, string message) => Lines.Enqueue($"{level}: {message}");
    }
}

/// <summary>What an integration (MQTT) is handed: every view and event.</summary>
internal sealed class ViewRecorder : IRouterObserver
{
    public List<RouterView> Views { get; } = [];

    public List<RouterEvent> Events { get; } = [];

    public string? Health => null;

    public void Publish(RouterView view) => Views.Add(view);

    public void Publish(RouterEvent e) => Events.Add(e);

    public void Dispose() { }
}
