using Router.Core.Config;
using Router.Core.Ports;
using Router.Integrations.Actions;
using Router.Peers;

namespace Router.Daemon;

/// <summary>Starts delivering a socket's packets to <c>onPacket</c> (and a receive error to <c>onFailure</c>, after
/// which nothing more is delivered) until the returned handle is disposed.</summary>
internal delegate IDisposable ReceiveStarter(IVrrpSocket socket, Action<ReceivedVrrp> onPacket, Action<Exception> onFailure);

/// <summary>
/// Everything outside the loop the daemon drives: the kernel, the action backends, the peer channel. The composition
/// root passes the Linux ones; the daemon's tests pass in-memory fakes and step the loop on a fake clock.
/// </summary>
internal sealed record DaemonPorts(
    INetworkControl Network,
    Func<INetlinkMonitor> OpenMonitor,
    IAddressAnnouncer Announcer,
    Func<InterfaceInfo, InstanceConfig, IVrrpSocket> OpenSocket,
    Func<ILinkControl> OpenLinkControl)
{
    public ReceiveStarter StartReceiving { get; init; } = ReceivePump.Start;

    /// <summary>The backends of the configured actions; step and enforcement results are reported from any thread.</summary>
    public Func<IReadOnlyList<ActionConfig>, Action<StepResult>, Action<EnforcementResult>, IStepRunner>? OpenActions { get; init; }

    public Func<PeerChannelOptions, Action<PeerEvent>, IPeerChannel> OpenPeer { get; init; } = (o, e) => new PeerChannel(o, e);

    /// <summary>The fencing agent for `fence_command` (its argv); results are reported from any thread.</summary>
    public Func<IReadOnlyList<string>, Action<Roles.FenceAgentResult>, Roles.IFenceAgentRunner>? OpenFenceAgent { get; init; }

    public Roles.IFenceAgentRunner CreateFenceAgent(IReadOnlyList<string> argv, Action<Roles.FenceAgentResult> report) =>
        OpenFenceAgent?.Invoke(argv, report) ?? new Roles.FenceAgentProcess(argv, report);

    /// <summary>The supervisor's watchdog (systemd, procd) the loop feeds; null when none asked for one.</summary>
    public Router.Integrations.Supervision.IServiceWatchdog? Watchdog { get; init; }

    public IStepRunner CreateStepRunner(IReadOnlyList<ActionConfig> actions, Action<StepResult> report, Action<EnforcementResult> enforcement) =>
        OpenActions?.Invoke(actions, report, enforcement)
        ?? new ActionExecutor(ActionFactory.CreateAll(actions, new ActionEnvironment(new CommandRunner(), OpenLinkControl)), report, enforcement);
}
