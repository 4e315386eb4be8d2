namespace Router.Core.Import;

/// <summary>One routerha option (or list entry) to write, with the keepalived statement it came from.</summary>
internal sealed record UciValue(string Name, string Value, bool IsList, KeepalivedNode Origin);

/// <summary>A vrrp_instance (or sync group) reaching for a check: which, with what weight, from where.</summary>
internal sealed record TrackUse(string Kind, string Target, string? Weight, string Instance, KeepalivedNode Origin);

/// <summary>A vrrp_instance as it will be written: its UCI name and options, and the checks it tracks.</summary>
internal sealed class ImportedInstance(string name, string keepalivedName, KeepalivedNode node)
{
    public string Name { get; } = name;
    public string KeepalivedName { get; } = keepalivedName;
    public KeepalivedNode Node { get; } = node;
    public List<UciValue> Values { get; } = [];
    public List<TrackUse> Tracks { get; } = [];

    public void Option(string name, string value, KeepalivedNode origin) => Values.Add(new UciValue(name, value, false, origin));

    public void ListEntry(string name, string value, KeepalivedNode origin) => Values.Add(new UciValue(name, value, true, origin));

    public bool Has(string name) => Values.Any(v => v.Name == name);
}

/// <summary>Instance defaults keepalived takes from global_defs.</summary>
internal sealed class KeepalivedDefaults
{
    /// <summary>keepalived's default protocol is VRRPv2 (routerha's is v3), so the version is always written.</summary>
    public string Version { get; set; } = "2";
    public KeepalivedNode? VersionNode { get; set; }
    public Dictionary<string, KeepalivedNode> Garp { get; } = [];
}
