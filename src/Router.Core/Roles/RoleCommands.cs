namespace Router.Core.Roles;

/// <summary>What the daemon must do after feeding the <see cref="RoleCoordinator"/> an event, in order.</summary>
public abstract record RoleCommand;

/// <summary>Run one attempt of a plan step with its action backend; report the end with
/// <see cref="RoleCoordinator.OnStepResult"/> quoting the ticket.</summary>
public sealed record RunStep(StartStep Start) : RoleCommand;

/// <summary>Abandon the attempt with this ticket (timed out or superseded): kill what it started.</summary>
public sealed record CancelRun(long Ticket) : RoleCommand;

/// <summary>Hand the merged lease set to the DHCP server; always right before the DHCP start step runs.</summary>
public sealed record PrepareDhcp : RoleCommand;

/// <summary>Send our fence state (<see cref="Fencing.FenceCodec"/> bytes) to the peer: on every path when
/// <paramref name="Path"/> is null, else on that path only.</summary>
public sealed record SendFenceState(byte[] Payload, string? Path) : RoleCommand;

/// <summary>The peer told us it left MASTER (fault, stop, switchover, maintenance): the role instance takes over at
/// once if it is a BACKUP following <paramref name="PeerVrrpAddress"/> (VrrpInstance.OnPeerYielded decides).</summary>
public sealed record PeerYielded(System.Net.IPAddress PeerVrrpAddress, string Reason) : RoleCommand;

/// <summary>The peer has been silent on every path for the dead interval, and its next heartbeat was due at
/// <paramref name="QuietSince"/>: the role instance takes over if it follows <paramref name="PeerVrrpAddress"/> and
/// heard no advert from it since (VrrpInstance.OnPeerDead decides). The tunnel still waits for the fence.</summary>
public sealed record PeerDead(System.Net.IPAddress PeerVrrpAddress, TimeSpan QuietSince, string Reason) : RoleCommand;

public enum NoteLevel { Debug, Info, Warn, Error }

/// <summary>A line for the log.</summary>
public sealed record RoleNote(NoteLevel Level, string Text) : RoleCommand;

/// <summary>An event for integrations (MQTT alerts): a kind, a sentence, and fields.</summary>
public sealed record RoleAlert(string Kind, string Message, IReadOnlyDictionary<string, string> Fields) : RoleCommand;

/// <summary>Run the fencing agent (`fence_command`) off the loop against the silent peer; report the end with
/// <see cref="RoleCoordinator.OnFenceAgentResult"/> quoting the ticket. The coordinator enforces
/// <paramref name="Timeout"/> itself (a <see cref="CancelFenceAgent"/> follows when it passes).</summary>
public sealed record RunFenceAgent(long Ticket, TimeSpan Timeout, string Reason) : RoleCommand;

/// <summary>Kill the agent run with this ticket (timed out, or no longer needed); a result that still arrives is ignored.</summary>
public sealed record CancelFenceAgent(long Ticket) : RoleCommand;
