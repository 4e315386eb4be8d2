using System.Globalization;
using System.Net;
using Router.Core.Health;

namespace Router.Core.Config;

/// <summary>Validates the "config track" sections against the instances that were read.</summary>
internal static class TrackLoader
{
    public static readonly string[] Kinds = ["link", "ping", "tcp", "process", "script"];

    public static readonly string[] CommonOptions = ["kind", "interval", "timeout", "rise", "fall", "weight", "init_fail", "instance"];

    private static readonly Dictionary<string, string[]> KindOptions = new()
    {
        ["link"] = ["interface"],
        ["ping"] = ["host", "interface", "source"],
        ["tcp"] = ["host", "port", "interface", "source"],
        ["process"] = ["pidfile", "name"],
        ["script"] = ["script"],
    };

    public static List<TrackConfig> Load(IReadOnlyList<SectionReader> sections, IReadOnlyCollection<string> instanceNames)
    {
        var result = new List<TrackConfig>();
        var seen = new Dictionary<string, int>();
        foreach (var r in sections)
        {
            var s = r.Section;
            if (s.Name is null)
                r.Error(s.Line, "'config track' needs a name, e.g. config track 'wan_ping'");
            else if (seen.TryGetValue(s.Name, out var firstLine))
                r.Error(s.Line, $"duplicate track name '{s.Name}' (first at line {firstLine})");
            else
                seen[s.Name] = s.Line;
            if (r.Get("kind") is null)
            {
                r.Error(s.Line, $"{r.Label}: missing required option 'kind' ({string.Join(", ", Kinds)})");
                continue;
            }
            var kind = r.Choice("kind", "", Kinds);
            if (kind.Length == 0) continue;
            foreach (var o in s.Options)
            {
                if (CommonOptions.Contains(o.Name) || KindOptions[kind].Contains(o.Name)) continue;
                var owners = ActionLoader.KindsTaking(KindOptions, o.Name);
                r.Error(o.Line, $"option '{o.Name}' does not apply to kind '{kind}' (it is for {string.Join(", ", owners)})");
            }
            result.Add(LoadOne(r, kind, instanceNames));
        }
        return result;
    }

    private static TrackConfig LoadOne(SectionReader r, string kindText, IReadOnlyCollection<string> instanceNames)
    {
        var interval = r.Seconds("interval", TimeSpan.FromSeconds(2), 0.01m, 3600);
        var timeout = r.Seconds("timeout", TimeSpan.FromSeconds(1), 0.01m, 3600);
        if (r.Get("timeout") is { } t && timeout > interval)
            r.Error(t.Line, $"timeout {t.Value} is longer than the interval ({SectionReader.Format((decimal)interval.TotalSeconds)} s): runs of one check never overlap");
        var settings = new TrackSettings
        {
            Name = r.Section.Name ?? "",
            Interval = interval,
            Timeout = timeout,
            Rise = r.Int("rise", 1, 1000) ?? 1,
            Fall = r.Int("fall", 1, 1000) ?? 1,
            Weight = Weight(r),
            InitFail = r.Bool("init_fail", false),
            Instances = Instances(r, instanceNames),
        };
        var config = new TrackConfig
        {
            Settings = settings,
            Kind = kindText switch
            {
                "link" => TrackKind.Link,
                "ping" => TrackKind.Ping,
                "tcp" => TrackKind.Tcp,
                "process" => TrackKind.Process,
                _ => TrackKind.Script,
            },
            Line = r.Section.Line,
        };
        switch (config.Kind)
        {
            case TrackKind.Link:
                return config with { Interface = Device(r, required: true) };
            case TrackKind.Ping:
                return Bound(r, config with { Host = Host(r) });
            case TrackKind.Tcp:
                if (r.Get("port") is null) r.Error(r.Section.Line, $"{r.Label}: kind tcp needs option port (1..65535)");
                return Bound(r, config with { Host = Host(r), Port = r.Int("port", 1, 65535) ?? 0 });
            case TrackKind.Process:
                var pidFile = r.AbsolutePath("pidfile");
                var name = r.Get("name")?.Value;
                if ((r.Get("pidfile") is null) == (name is null))
                    r.Error(r.Section.Line, $"{r.Label}: kind process needs exactly one of option pidfile (a path) or option name (as in /proc/PID/comm)");
                if (name is { Length: 0 or > 15 })
                    r.Error(r.Get("name")!.Line, $"name '{name}' must be 1..15 characters (the kernel keeps 15 of a process name)");
                return config with { PidFile = pidFile, ProcessName = name };
            default:
                if (r.Get("script") is not { } o)
                    r.Error(r.Section.Line, $"{r.Label}: kind script needs option script (a command line)");
                else if (!o.Value.StartsWith('/'))
                    r.Error(o.Line, $"script '{o.Value}' must start with an absolute path (it runs without a shell or PATH lookup)");
                else
                    return config with { Script = o.Value };
                return config;
        }
    }

    private static TrackConfig Bound(SectionReader r, TrackConfig config)
    {
        var source = r.Get("source") is { } o ? r.Address(o) : null;
        if (source is not null && config.Host is not null && source.AddressFamily != config.Host.AddressFamily)
            r.Error(r.Get("source")!.Line, $"source {source} and host {config.Host} are of different address families");
        return config with { Interface = Device(r, required: false), Source = source };
    }

    private static IPAddress? Host(SectionReader r)
    {
        if (r.Get("host") is { } o) return r.Address(o);
        r.Error(r.Section.Line, $"{r.Label}: missing required option 'host' (an IP address)");
        return null;
    }

    private static string? Device(SectionReader r, bool required)
    {
        if (r.Get("interface") is not { } o)
        {
            if (required) r.Error(r.Section.Line, $"{r.Label}: missing required option 'interface' (a kernel device such as eth1)");
            return null;
        }
        if (DeviceName.Problem(o.Value) is not { } problem) return o.Value;
        r.Error(o.Line, $"interface '{o.Value}' is not a valid device name: {problem}");
        return null;
    }

    /// <summary>Signed, unlike the other integers: keepalived's -253..253.</summary>
    private static int Weight(SectionReader r)
    {
        if (r.Get("weight") is not { } o) return 0;
        var text = o.Value;
        var digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var w) && w is >= -253 and <= 253)
            return w;
        r.Error(o.Line, $"weight '{text}' must be a whole number in -253..253 (0 = FAULT while the check is down)");
        return 0;
    }

    private static List<string> Instances(SectionReader r, IReadOnlyCollection<string> instanceNames)
    {
        var names = new List<string>();
        foreach (var o in r.GetList("instance"))
        {
            if (!instanceNames.Contains(o.Value))
                r.Error(o.Line, $"{r.Label}: no instance named '{o.Value}'{Suggestion.Hint(o.Value, instanceNames)}");
            else if (names.Contains(o.Value))
                r.Error(o.Line, $"instance '{o.Value}' is listed twice in {r.Label}");
            else
                names.Add(o.Value);
        }
        return names;
    }
}
