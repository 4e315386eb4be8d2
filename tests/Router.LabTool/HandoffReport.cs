using System.Text.Json.Serialization;

namespace Router.LabTool;

/// <summary>build/bench/handoff.json: issue 12's scenarios, every repetition with every figure, then the summaries.</summary>
public sealed class HandoffReport
{
    public string GeneratedAt { get; set; } = "";
    public string Host { get; set; } = "";
    public int Reps { get; set; }
    public int AdvertMs { get; set; }
    /// <summary>routerha's peer heartbeat in the kill -9 scenario (the other scenarios use the lab defaults below).</summary>
    public int FastHeartbeatMs { get; set; }
    public int FastDeadMs { get; set; }
    public int DefaultHeartbeatMs { get; set; }
    public int DefaultDeadMs { get; set; }
    public int FenceWindowMs { get; set; }
    public double FreezeSeconds { get; set; }
    /// <summary>How the hang scenario started routerha (DaemonLauncher.Name): "plain" = no watchdog, until the supervisor stand-in is swapped in.</summary>
    public string HangLauncher { get; set; } = "";
    public string? RouterhaBinary { get; set; }
    public List<HandoffRun> Runs { get; set; } = [];
    public List<HandoffSummary> Summary { get; set; } = [];
}

/// <summary>One repetition of one scenario with one daemon; the fields its scenario measures are set, the others null.</summary>
public sealed class HandoffRun
{
    public string Daemon { get; set; } = "";
    public string Scenario { get; set; } = "";
    public int Rep { get; set; }
    public string? Failure { get; set; }
    public double? GapMs { get; set; }
    public double? ProbeMaxLateMs { get; set; }
    public double? TunnelUpMs { get; set; }
    public double? OldTunnelStopMs { get; set; }
    public double? PeerTunnelMs { get; set; }
    public double? TwoTunnelSeconds { get; set; }
    public double? BothWanSeconds { get; set; }
    public int? LiveKicks { get; set; }
    public int? VpsSessions { get; set; }
    public double? SettledAfterResumeMs { get; set; }
    public double? RunSeconds { get; set; }
}

public sealed class HandoffSummary
{
    public string Scenario { get; set; } = "";
    public string Measure { get; set; } = "";
    public string Unit { get; set; } = "";
    public string Daemon { get; set; } = "";
    public List<double> Values { get; set; } = [];
    /// <summary>Repetitions that failed or did not produce this figure (e.g. the peer never got the tunnel).</summary>
    public int Missing { get; set; }
    public double? Median { get; set; }
    public double? Max { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HandoffReport))]
internal sealed partial class HandoffJson : JsonSerializerContext;
