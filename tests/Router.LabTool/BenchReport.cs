using System.Text.Json.Serialization;

namespace Router.LabTool;

/// <summary>build/bench/failover.json: every measured repetition, so a reader can recompute the summaries.</summary>
public sealed class BenchReport
{
    public string GeneratedAt { get; set; } = "";
    public string Host { get; set; } = "";
    public int Reps { get; set; }
    public bool Quick { get; set; }
    public string? RouterhaBinary { get; set; }
    public List<FailoverSeries> Failover { get; set; } = [];
    public List<ResourceSample> Resources { get; set; } = [];
}

public sealed class FailoverSeries
{
    public string Daemon { get; set; } = "";
    public string Scenario { get; set; } = "";
    public int AdvertMs { get; set; }
    public double MasterDownMs { get; set; }
    public List<double> GapsMs { get; set; } = [];
    public List<string> Failures { get; set; } = [];
    public double? MedianMs { get; set; }
    public double? MaxMs { get; set; }
}

public sealed class ResourceSample
{
    public string Daemon { get; set; } = "";
    public int AdvertMs { get; set; }
    public List<int> Pids { get; set; } = [];
    public long VmRssKb { get; set; }
    public long PssKb { get; set; }
    public double IdleSeconds { get; set; }
    public double CpuPercent { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJson : JsonSerializerContext;
