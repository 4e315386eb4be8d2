namespace Router.Core.Config;

/// <summary>Validates the "config sync_group" sections against the instances that were read.</summary>
internal static class SyncGroupLoader
{
    /// <param name="instanceNames">Every instance name defined in the file.</param>
    /// <param name="memberOf">Filled with instance name -> group name for accepted members.</param>
    public static List<SyncGroupConfig> Load(IReadOnlyList<SectionReader> groups, IReadOnlyCollection<string> instanceNames,
        Dictionary<string, string> memberOf)
    {
        var result = new List<SyncGroupConfig>();
        var seen = new Dictionary<string, int>();
        var joinedAt = new Dictionary<string, int>();
        foreach (var r in groups)
        {
            var s = r.Section;
            if (s.Name is null)
                r.Error(s.Line, "'config sync_group' needs a name, e.g. config sync_group 'uplinks'");
            else if (seen.TryGetValue(s.Name, out var firstLine))
                r.Error(s.Line, $"duplicate sync_group name '{s.Name}' (first at line {firstLine})");
            else
                seen[s.Name] = s.Line;
            var name = s.Name ?? "";

            var entries = r.GetList("instance");
            if (entries.Count < 2)
                r.Error(s.Line, $"{r.Label} needs at least two instances (list instance '...'), has {entries.Count}");
            var members = new List<string>();
            foreach (var o in entries)
            {
                var member = o.Value;
                if (!instanceNames.Contains(member))
                    r.Error(o.Line, $"{r.Label}: no instance named '{member}'{Suggestion.Hint(member, instanceNames)}");
                else if (members.Contains(member))
                    r.Error(o.Line, $"instance '{member}' is listed twice in {r.Label}");
                else if (memberOf.TryGetValue(member, out var other))
                    r.Error(o.Line, $"instance '{member}' is already in sync_group '{other}' (line {joinedAt[member]}): an instance can be in only one sync group");
                else
                {
                    members.Add(member);
                    memberOf[member] = name;
                    joinedAt[member] = o.Line;
                }
            }
            var notify = new NotifyConfig
            {
                Notify = r.AbsolutePath("notify"),
                NotifyMaster = r.AbsolutePath("notify_master"),
                NotifyBackup = r.AbsolutePath("notify_backup"),
                NotifyFault = r.AbsolutePath("notify_fault"),
            };
            result.Add(new SyncGroupConfig(name, members, notify, s.Line));
        }
        return result;
    }
}
