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
        var globalAndLeases = ReadGlobalAndLeases(doc, mine);
        // Types that may appear once: the first section of each, for "more than one" messages.
        var firstOfType = new Dictionary<string, UciSection>();
        var instanceReaders = new List<SectionReader>();
        var groupReaders = new List<SectionReader>();
        var peerReaders = new List<SectionReader>();
        MqttConfig? mqtt = null;
        var actionReaders = new List<SectionReader>();
        var trackReaders = new List<SectionReader>();

        foreach (var s in doc.Sections)
        {
            switch (s.Type)
            {
                case ConfigSchema.GlobalType or ConfigSchema.LeasesType:
                    // Read above by ReadGlobalAndLeases, which the CLI verbs' lenient load shares.
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
            Global = globalAndLeases.Global,
            Instances = instances
                .Select(i => i.Config with { SyncGroup = memberOf.GetValueOrDefault(i.Config.Vrrp.Name) })
                .ToList(),
            SyncGroups = groups,
            Peers = peers,
            Mqtt = mqtt,
            Actions = actions,
            Tracks = tracks,
            Leases = globalAndLeases.Leases,
            SourcePath = doc.Path,
        };
    }

    /// <summary>Parse + Load in one step.</summary>
    public static RouterConfig? LoadText(string path, string text, Func<string, IReadOnlyList<IpPrefix>?> interfaceAddresses, List<ConfigError> errors)
    {
        var doc = UciParser.Parse(path, text, errors);
        return errors.Count > 0 ? null : Load(doc, interfaceAddresses, errors);
    }

    /// <summary>
    /// Only the global and leases sections, for the CLI verbs that must work while the rest of the file fails
    /// validation: dnsmasq's dhcp-script must not lose leases over a typo in an instance, and status must still
    /// find a configured control socket. Never fails. A problem in these two sections (syntax included) is added
    /// to errors with the message a full load gives, and the option concerned keeps its default; other sections,
    /// and syntax errors in them, are not looked at.
    /// </summary>
    public static GlobalAndLeases LoadGlobalAndLeasesText(string path, string text, List<ConfigError> errors)
    {
        var syntax = new List<ConfigError>();
        var doc = UciParser.Parse(path, text, syntax);
        var mine = syntax.Where(e => IsGlobalOrLeases(SectionAt(doc, e.Line))).ToList();
        var result = ReadGlobalAndLeases(doc, mine);
        errors.AddRange(mine.OrderBy(e => e.Line));
        return result;
    }

    /// <summary>The one reader of these sections, for the full load and the lenient one alike, so the verbs cannot drift from the daemon.</summary>
    private static GlobalAndLeases ReadGlobalAndLeases(UciDocument doc, List<ConfigError> errors)
    {
        var global = new GlobalConfig();
        LeasesConfig? leases = null;
        var firstOfType = new Dictionary<string, UciSection>();
        foreach (var s in doc.Sections)
        {
            if (s.Type == ConfigSchema.GlobalType)
            {
                var reader = new SectionReader(doc.Path, s, ConfigSchema.Global, "the global section", errors);
                if (IsFirst(firstOfType, s, reader)) global = GlobalLoader.Load(reader);
            }
            else if (s.Type == ConfigSchema.LeasesType)
            {
                var reader = new SectionReader(doc.Path, s, ConfigSchema.Leases, "the leases section", errors);
                if (IsFirst(firstOfType, s, reader)) leases = LeasesLoader.Load(reader);
            }
        }
        return new GlobalAndLeases(global, leases is { Enabled: true } ? leases : null);
    }

    /// <summary>
    /// The section a line belongs to: the last one begun at or before it. A section whose header was rejected is
    /// not in the document, so a syntax error in that header counts to the section before it: at worst one message
    /// too many, never a value read from the wrong section, since the parser drops a rejected section's options.
    /// </summary>
    private static UciSection? SectionAt(UciDocument doc, int line) => doc.Sections.LastOrDefault(s => s.Line <= line);

    private static bool IsGlobalOrLeases(UciSection? s) => s?.Type is ConfigSchema.GlobalType or ConfigSchema.LeasesType;

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
