using System.Text.Json.Serialization;

namespace Router.LabKit;

/// <summary>`routerha status --json` as the contract describes it.</summary>
public sealed class RouterHaStatus
{
    public string Node { get; set; } = "";
    public int Pid { get; set; }
    public List<RouterHaInstanceStatus> Instances { get; set; } = [];
    public RouterHaRoleStatus? Role { get; set; }
    public RouterHaFenceStatus? Fence { get; set; }

    public static RouterHaStatus Parse(string json) =>
        System.Text.Json.JsonSerializer.Deserialize(json, RouterHaStatusJson.Default.RouterHaStatus)
        ?? throw new FormatException("status JSON is null");
}

public sealed class RouterHaInstanceStatus
{
    public string Name { get; set; } = "";
    public int Vrid { get; set; }
    public int Version { get; set; }
    public string Family { get; set; } = "";
    public string Interface { get; set; } = "";
    public string State { get; set; } = "";
    public int Priority { get; set; }
    public int EffectivePriority { get; set; }
    public string? Master { get; set; }
    public int MasterPriority { get; set; }
    public double AdvertIntervalMs { get; set; }
    public double MasterDownIntervalMs { get; set; }
    public List<string> Vips { get; set; } = [];
    public bool VipsPresent { get; set; }
    public bool Maintenance { get; set; }
    public RouterHaCounters Counters { get; set; } = new();
    public List<RouterHaTransition> Transitions { get; set; } = [];
}

public sealed class RouterHaCounters
{
    public long AdvertsSent { get; set; }
    public long AdvertsReceived { get; set; }
    public long BecameMaster { get; set; }
    public Dictionary<string, long> Drops { get; set; } = [];
    /// <summary>Adverts ignored because their sender is not a known peer (peer channel or unicast mode).</summary>
    public long UnknownMasterAdverts { get; set; }
    public string? UnknownMasterLast { get; set; }
}

public sealed class RouterHaTransition
{
    public string At { get; set; } = "";
    public string From { get; set; } = "";
    public string To { get; set; } = "";
    public string Reason { get; set; } = "";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RouterHaStatus))]
internal sealed partial class RouterHaStatusJson : JsonSerializerContext;
