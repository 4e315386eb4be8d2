using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Router.Daemon.Control;

// The control socket speaks one JSON object per line each way. These records are the whole protocol;
// `routerha status --json` prints StatusReport as is, so its field names are a public interface.

/// <summary>Args and Env carry a dnsmasq dhcp-script call ("lease"): its argv and DNSMASQ_* variables.</summary>
public sealed record ControlRequest(string Cmd, bool? On = null, string? Instance = null,
    IReadOnlyList<string>? Args = null, IReadOnlyDictionary<string, string>? Env = null);

public sealed record ControlResponse(bool Ok, string? Error = null, string? Message = null, StatusReport? Status = null);

public sealed record StatusReport(
    string Node,
    string Version,
    int Pid,
    double UptimeS,
    string ConfigPath,
    bool Maintenance,
    IReadOnlyList<InstanceStatus> Instances,
    NotifyStatus Notify,
    IReadOnlyList<string> Integrations,
    RoleStatus? Role = null,
    FenceStatus? Fence = null,
    IReadOnlyList<PeerPathView>? Peers = null,
    IReadOnlyList<TrackView>? Tracks = null,
    LeasesView? Leases = null,
    FenceAgentInfo? FenceAgent = null,
    WatchdogStatus? Watchdog = null,
    EnforcementInfo? Enforcement = null);

/// <summary>Continuous enforcement (null when no action can read its state back): IntervalS (0 = off); Active while the
/// completed plan of Target is being enforced (not while a plan runs).</summary>
public sealed record EnforcementInfo(double IntervalS, bool Active, string? Target, IReadOnlyList<DriftInfo> Actions);

/// <summary>One drift-checked action. Direction: the state wanted (start on MASTER, stop otherwise). State: unchecked,
/// in_state, drifting, check_failing. DriftingSince / DriftingForS: the open episode (null when none). Episodes: times it
/// was found out of state; Corrections: runs that put it back. Held: why a drift is not corrected (a MASTER's fenced
/// action without the fence); null when it is.</summary>
public sealed record DriftInfo(string Action, string Direction, string State, DateTimeOffset? DriftingSince, double? DriftingForS,
    long Checks, long Episodes, long Corrections, string? LastDrift, string? LastError, double? LastCheckAgoMs, string? Held);

/// <summary>The service watchdog the loop feeds (null in status when no supervisor asked for one).</summary>
public sealed record WatchdogStatus(string Supervisor, double TimeoutS, double IntervalS, bool Ready, long Pings, long Failures,
    double? LastPingAgoMs, string? LastError);

/// <summary>The DHCP lease store: active leases; Pending: dnsmasq's changes not yet in the file (a write is failing, or the
/// next batch commit is due); BadRows: rows of the file that fail validation and are skipped; DroppedRows: removed by
/// the row limits since start; WriteError: why writing fails now (null when it does not); and replication with the
/// peer (null without a peer channel).</summary>
public sealed record LeasesView(int Active, int Pending, int BadRows, long DroppedRows, long WriteFailures, string? WriteError,
    LeaseSyncView? Sync);

/// <summary>AckedSeq of LastSeq: how far the peer has committed our change log; Pending: our changes it still lacks;
/// ReceivedSeq: how far we have committed its log; MaxApplyMs: the longest page commit (it runs on the event loop).</summary>
public sealed record LeaseSyncView(string? Peer, bool Connected, bool CaughtUp, long AckedSeq, long LastSeq, long Pending,
    double? LastAckAgoMs, long? ReceivedSeq, long RowsSent, long RowsReceived, long RowsApplied, long RefusedMessages,
    double MaxApplyMs, string? LastError);

/// <summary>The role plan: what MASTER / BACKUP means for WAN, tunnel and DHCP here, step by step.</summary>
public sealed record RoleStatus(string? Target, string Reason, bool Finished, string? CurrentStep, string Tunnel, bool FenceDemoted,
    IReadOnlyList<StepView> Steps, long StaleResults);

public sealed record StepView(string Name, string Phase, string Direction, string Outcome, int Attempts, string? Error);

/// <summary>The tunnel gate: Allowed / Wait / NotMaster and why; what the peer last said. PeerSilentS of WindowS: how long
/// the peer has been silent on every path, of the fence window; WindowNeeds: what the window must outlast (FenceBudget).</summary>
public sealed record FenceStatus(string Gate, string Reason, string? PeerRole, string? PeerTunnel, int? PeerPriority,
    long DualMasterEpisodes, double DualMasterTotalMs, double DualMasterLongestMs, bool DualMasterNow,
    long PeerStates, long PeerStatesDuplicate, long PeerStatesRejected,
    IReadOnlyDictionary<string, double> LastHeardAgoMs, IReadOnlyDictionary<string, long> Refusals,
    double? PeerSilentS = null, double? WindowS = null, string? WindowNeeds = null, bool? WindowLongEnough = null);

/// <summary>The fencing agent (`fence_command`): Outcome idle / running / ok / failed / timeout / cancelled, for its
/// last run (Runs since start); LastRunAgoMs and DurationMs are null before the first run / while it runs.</summary>
public sealed record FenceAgentInfo(string Command, double TimeoutS, string Outcome, string? Detail, long Runs, double? LastRunAgoMs,
    double? DurationMs);

/// <summary>Refusals: handshakes refused on this path since start, by kind (NotPeerAddress: a stranger connected).</summary>
public sealed record PeerPathView(string Path, bool Up, string? PeerNode, string? Remote, double? LastHeardAgoMs, string? LastError,
    IReadOnlyDictionary<string, long>? Refusals = null);

public sealed record TrackView(string Name, bool Up, long Runs, long Failures, string? LastDetail);

public sealed record InstanceStatus(
    string Name,
    int Vrid,
    int Version,
    string Family,
    string Interface,
    string State,
    int Priority,
    int EffectivePriority,
    string? Master,
    int MasterPriority,
    bool IsMaster,
    double AdvertIntervalMs,
    double MasterDownIntervalMs,
    IReadOnlyList<string> Vips,
    bool VipsPresent,
    bool Maintenance,
    bool Unicast,
    string? SyncGroup,
    string? LastError,
    CounterStatus Counters,
    IReadOnlyList<TransitionStatus> Transitions);

public sealed record CounterStatus(
    long AdvertsSent,
    long AdvertsReceived,
    long BecameMaster,
    long PriorityZeroSent,
    long PriorityZeroReceived,
    long MasterConflicts,
    long VipsRestored,
    long PeerTakeovers,
    IReadOnlyDictionary<string, long> Drops,
    long UnknownMasterAdverts = 0,
    string? UnknownMasterLast = null);

public sealed record TransitionStatus(DateTimeOffset At, string From, string To, string Reason);

public sealed record NotifyStatus(long Started, long Failed, long TimedOut);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class ControlJson : JsonSerializerContext
{
}

/// <summary>`status --json` for people: the wire format's generated metadata, indented. A second, indented
/// context would generate all of StatusReport's serialization code again (binary size).</summary>
internal static class ControlJsonText
{
    private static readonly JsonSerializerOptions Indented = new(ControlJson.Default.Options) { WriteIndented = true };

    public static string Status(StatusReport status) =>
        JsonSerializer.Serialize(status, (JsonTypeInfo<StatusReport>)Indented.GetTypeInfo(typeof(StatusReport)));
}
