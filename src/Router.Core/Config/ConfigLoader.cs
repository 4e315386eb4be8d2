using System.Net.Sockets;
using Router.Core.Net;

namespace Router.Core.Config;

/// <summary>Turns a UCI document into a validated RouterConfig. Pure: interface facts come through the lookup.</summary>
public static class ConfigLoader
{
    /// <summary>
    /// interfaceAddresses: the addresses configured on a device, or null when the device does not exist
    /// (then subnet checks for it are skipped: check-config on a machine that is not the router).
    /// Returns null and fills errors when anything is wrong; every error names file:line.
    /// </summary>
    public static RouterConfig? Load(UciDocument doc, Func<string, IReadOnlyList<IpPrefix>?> interfaceAddresses, List<ConfigError> errors)
    {
        var mine = new List<ConfigError>();
        var global = new GlobalConfig();
        // Types that may appear once: the first section of each, for "more than one" messages.
        var firstOfType = new Dictionary<string, UciSection>();
        var instanceReaders = new List<SectionReader>();
        var groupReaders = new List<SectionReader>();
        var peerReaders = new List<SectionReader>();
        MqttConfig? mqtt = null;
        var actionReaders = new List<SectionReader>();
        var trackReaders = new List<SectionReader>();
        LeasesConfig? leases = null;

        foreach (var s in doc.Sections)
        {
            switch (s.Type)
            {
                case ConfigSchema.GlobalType:
                    var globalReader = new SectionReader(doc.Path, s, ConfigSchema.Global, "the global section", mine);
                    if (IsFirst(firstOfType, s, globalReader)) global = GlobalLoader.Load(globalReader);
                    break;
                case ConfigSchema.InstanceType:
                    instanceReaders.Add(new SectionReader(doc.Path, s, ConfigSchema.Instance, Label("instance", s), mine));
                    break;
                case ConfigSchema.SyncGroupType:
                    groupReaders.Add(new SectionReader(doc.Path, s, ConfigSchema.SyncGroup, Label("sync_group", s), mine));
                    break;
                case ConfigSchema.PeerType:
                    peerReaders.Add(new SectionReader(doc.Path, s, ConfigSchema.Peer, Label("peer", s), mine));
                    break;
                case ConfigSchema.MqttType:
                    var mqttReader = new SectionReader(doc.Path, s, ConfigSchema.Mqtt, "the mqtt section", mine);
                    if (IsFirst(firstOfType, s, mqttReader)) mqtt = MqttLoader.Load(mqttReader);
                    break;
                case ConfigSchema.ActionType:
                    actionReaders.Add(new SectionReader(doc.Path, s, ConfigSchema.Action, Label("action", s), mine));
                    break;
                case ConfigSchema.TrackType:
                    trackReaders.Add(new SectionReader(doc.Path, s, ConfigSchema.Track, Label("track", s), mine));
                    break;
                case ConfigSchema.LeasesType:
                    var leasesReader = new SectionReader(doc.Path, s, ConfigSchema.Leases, "the leases section", mine);
                    if (IsFirst(firstOfType, s, leasesReader)) leases = LeasesLoader.Load(leasesReader);
                    break;
                default:
                    mine.Add(new ConfigError(doc.Path, s.Line,
                        $"unknown section type '{s.Type}'{Suggestion.Hint(s.Type, ConfigSchema.SectionTypes)}; known types: {string.Join(", ", ConfigSchema.SectionTypes)}"));
                    break;
            }
        }

        if (instanceReaders.Count == 0)
            mine.Add(new ConfigError(doc.Path, 1, "no 'config instance' section: nothing to do"));

        var instances = new List<LoadedInstance>();
        var namesSeen = new Dictionary<string, int>();
        foreach (var r in instanceReaders)
        {
            var s = r.Section;
            if (s.Name is null)
                r.Error(s.Line, "'config instance' needs a name, e.g. config instance 'lan'");
            else if (namesSeen.TryGetValue(s.Name, out var firstLine))
                r.Error(s.Line, $"duplicate instance name '{s.Name}' (first at line {firstLine})");
            else
                namesSeen[s.Name] = s.Line;
            instances.Add(InstanceLoader.Load(r, interfaceAddresses));
        }
        CheckVridsUnique(doc.Path, instances, mine);

        var memberOf = new Dictionary<string, string>();
        var groups = SyncGroupLoader.Load(groupReaders, namesSeen.Keys, memberOf);
        var peers = PeerLoader.Load(peerReaders);
        var actions = ActionLoader.Load(actionReaders);
        var tracks = TrackLoader.Load(trackReaders, namesSeen.Keys);

        // Sections are checked one after another; report in file order so the admin can walk down the file.
        errors.AddRange(mine.OrderBy(e => e.Line));
        if (mine.Count > 0) return null;

        return new RouterConfig
        {
            Global = global,
            Instances = instances
                .Select(i => i.Config with { SyncGroup = memberOf.GetValueOrDefault(i.Config.Vrrp.Name) })
                .ToList(),
            SyncGroups = groups,
            Peers = peers,
            Mqtt = mqtt,
            Actions = actions,
            Tracks = tracks,
            Leases = leases is { Enabled: true } ? leases : null,
            SourcePath = doc.Path,
        };
    }

    /// <summary>Parse + Load in one step.</summary>
    public static RouterConfig? LoadText(string path, string text, Func<string, IReadOnlyList<IpPrefix>?> interfaceAddresses, List<ConfigError> errors)
    {
        var doc = UciParser.Parse(path, text, errors);
        return errors.Count > 0 ? null : Load(doc, interfaceAddresses, errors);
    }

    /// <summary>For types that may appear once: true for the first section of its type, else reports the repeat.</summary>
    private static bool IsFirst(Dictionary<string, UciSection> firstOfType, UciSection s, SectionReader reader)
    {
        if (firstOfType.TryGetValue(s.Type, out var first))
        {
            reader.Error(s.Line, $"more than one 'config {s.Type}' section (first at line {first.Line})");
            return false;
        }
        firstOfType[s.Type] = s;
        return true;
    }

    private static string Label(string type, UciSection s) => s.Name is null ? $"{type} at line {s.Line}" : $"{type} '{s.Name}'";

    /// <summary>Two instances with one VRID on one link and family would be the same virtual router to the peers.</summary>
    private static void CheckVridsUnique(string path, List<LoadedInstance> instances, List<ConfigError> errors)
    {
        var used = new Dictionary<(string, AddressFamily, byte), InstanceConfig>();
        foreach (var i in instances)
        {
            if (i.VridOption is null || i.Family is not { } family || i.Config.Interface.Length == 0) continue;
            var key = (i.Config.Interface, family, i.Config.Vrrp.Vrid);
            if (used.TryGetValue(key, out var first))
                errors.Add(new ConfigError(path, i.VridOption.Line,
                    $"vrid {i.Config.Vrrp.Vrid} on {i.Config.Interface} ({InstanceLoader.FamilyName(family)}) is already used by instance '{first.Vrrp.Name}' (line {first.Line})"));
            else
                used[key] = i.Config;
        }
    }
}
