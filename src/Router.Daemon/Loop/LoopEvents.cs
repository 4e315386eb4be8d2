using System.Runtime.InteropServices;
using Router.Core.Ports;
using Router.Daemon.Control;
using Router.Daemon.Instances;

namespace Router.Daemon;

/// <summary>Everything that can change state arrives as one of these, handled in order by the one loop.</summary>
internal abstract record LoopEvent;

internal sealed record PacketArrived(InstanceRuntime Instance, ReceivedVrrp Packet) : LoopEvent;

internal sealed record ReceiveFailed(InstanceRuntime Instance, Exception Error) : LoopEvent;

internal sealed record KernelChanged(NetlinkEvent Event) : LoopEvent;

internal sealed record KernelMonitorFailed(Exception Error) : LoopEvent;

internal sealed record ControlArrived(ControlRequest Request, TaskCompletionSource<ControlResponse> Reply) : LoopEvent;

internal sealed record SignalArrived(PosixSignal Signal) : LoopEvent;

/// <summary>An action attempt of the role plan ended (from the ActionExecutor's thread).</summary>
internal sealed record StepDone(Router.Integrations.Actions.StepResult Result) : LoopEvent;

/// <summary>An enforcement check or correction ended (from the ActionExecutor's thread).</summary>
internal sealed record EnforcementDone(Router.Integrations.Actions.EnforcementResult Result) : LoopEvent;

/// <summary>A lease event the hotplug handler left in the spool: its environment, NUL-separated.</summary>
internal sealed record LeaseSpooled(byte[] Environ) : LoopEvent;

/// <summary>A health probe answered.</summary>
internal sealed record ProbeDone(string Track, long Ticket, Router.Integrations.Health.ProbeResult Result) : LoopEvent;

/// <summary>Something from the peer channel.</summary>
internal sealed record PeerInput(Router.Peers.PeerEvent Event) : LoopEvent;

/// <summary>A notify script failed (from the NotifyRunner's thread).</summary>
internal sealed record NotifyFailed(Router.Integrations.Notify.NotifyJob Job, string Reason) : LoopEvent;

/// <summary>The fencing agent (`fence_command`) ended (from its runner's thread).</summary>
internal sealed record FenceAgentDone(Router.Daemon.Roles.FenceAgentResult Result) : LoopEvent;

/// <summary>A service watchdog ping ended (null: it went through), possibly from the thread that ran ubus.</summary>
internal sealed record WatchdogPinged(string? Error) : LoopEvent;
