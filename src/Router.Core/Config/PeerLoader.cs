using System.Net;

namespace Router.Core.Config;

/// <summary>Validates the "config peer" sections.</summary>
internal static class PeerLoader
{
    public const int DefaultPort = 7405;
    public static readonly TimeSpan DefaultFenceTimeout = TimeSpan.FromSeconds(10);

    public static List<PeerConfig> Load(IReadOnlyList<SectionReader> readers)
    {
        var result = new List<PeerConfig>();
        var names = new Dictionary<string, int>();
        var listeners = new Dictionary<(IPAddress, int), (string Peer, int Line)>();
        foreach (var r in readers)
        {
            var s = r.Section;
            if (s.Name is null)
                r.Error(s.Line, "'config peer' needs a name, e.g. config peer 'router_b'");
            else if (names.TryGetValue(s.Name, out var first))
                r.Error(s.Line, $"duplicate peer name '{s.Name}' (first at line {first})");
            else
                names[s.Name] = s.Line;

            var port = r.Int("port", 1, 65535) ?? DefaultPort;
            var heartbeat = r.Seconds("heartbeat_interval", TimeSpan.FromSeconds(1), 0.05m, 60);
            var dead = r.Seconds("dead_interval", TimeSpan.FromSeconds(3), 0.1m, 600);
            if (dead < heartbeat * 2 && r.Get("dead_interval") is { } deadOption)
                r.Error(deadOption.Line, $"dead_interval must be at least twice heartbeat_interval ({SectionReader.Format((decimal)heartbeat.TotalSeconds)} s), or one late heartbeat drops the path");
            var window = r.Seconds("fence_window", TimeSpan.FromSeconds(15), 0.1m, 3600);
            if (window <= dead && r.Get("fence_window") is { } windowOption)
                r.Error(windowOption.Line, $"fence_window must be longer than dead_interval ({SectionReader.Format((decimal)dead.TotalSeconds)} s)");

            var (fenceCommand, fenceTimeout) = FenceAgent(r, window);

            var paths = Paths(r);
            foreach (var (path, line) in paths)
            {
                if (listeners.TryGetValue((path.Local, port), out var other))
                    r.Error(line, $"{path.Local} port {port} is already used by peer '{other.Peer}' (line {other.Line}): give this peer another port");
                else
                    listeners[(path.Local, port)] = (s.Name ?? "", line);
            }
            var (secret, secretFile) = Secret(r);

            result.Add(new PeerConfig
            {
                Name = s.Name ?? "",
                Paths = paths.Select(p => p.Path).ToList(),
                Port = port,
                Secret = secret,
                SecretFile = secretFile,
                HeartbeatInterval = heartbeat,
                DeadInterval = dead,
                FenceWindow = window,
                FenceCommand = fenceCommand,
                FenceTimeout = fenceTimeout,
                Line = s.Line,
            });
        }
        return result;
    }

    /// <summary>option fence_command / fence_timeout: the command runs without a shell (split like notify scripts),
    /// so it must name its program by absolute path.</summary>
    private static (string? Command, TimeSpan Timeout) FenceAgent(SectionReader r, TimeSpan window)
    {
        var timeout = r.Seconds("fence_timeout", DefaultFenceTimeout, 0.1m, 3600);
        string? command = null;
        if (r.Get("fence_command") is { } o)
        {
            if (o.Value.Trim().StartsWith('/')) command = o.Value.Trim();
            else r.Error(o.Line, $"fence_command '{o.Value}' must start with an absolute path (it runs without a shell or PATH lookup)");
        }
        else if (r.Get("fence_timeout") is { } unused)
            r.Error(unused.Line, "fence_timeout without fence_command: there is no agent to time");
        // An agent that may outlive the window could never open the gate before the window does: an explicit
        // timeout that long is an error, the default shrinks to half a short window.
        if (command is not null && timeout >= window)
        {
            if (r.Get("fence_timeout") is { } t)
                r.Error(t.Line, $"fence_timeout must be shorter than fence_window ({SectionReader.Format((decimal)window.TotalSeconds)} s), " +
                                "or the window always opens the gate first");
            else
                timeout = window / 2;
        }
        return (command, timeout);
    }

    /// <summary>list path 'NAME LOCAL_ADDRESS PEER_ADDRESS'.</summary>
    private static List<(PeerPathConfig Path, int Line)> Paths(SectionReader r)
    {
        var paths = new List<(PeerPathConfig, int)>();
        var entries = r.GetList("path");
        if (entries.Count == 0)
            r.Error(r.Section.Line, $"{r.Label}: missing 'list path' (e.g. list path 'lan 192.168.1.1 192.168.1.2': name, our address, the peer's)");
        foreach (var o in entries)
        {
            var words = o.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 3)
            {
                r.Error(o.Line, $"path '{o.Value}' must be 'NAME OUR_ADDRESS PEER_ADDRESS', e.g. 'lan 192.168.1.1 192.168.1.2'");
                continue;
            }
            var name = words[0];
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                r.Error(o.Line, $"path name '{name}' may contain only letters, digits and _");
                continue;
            }
            if (!TryAddress(words[1], out var local) || !TryAddress(words[2], out var remote))
            {
                r.Error(o.Line, $"path '{name}': '{(TryAddress(words[1], out _) ? words[2] : words[1])}' is not an IP address");
                continue;
            }
            if (local.AddressFamily != remote.AddressFamily)
            {
                r.Error(o.Line, $"path '{name}': {local} and {remote} are of different address families");
                continue;
            }
            if (paths.FirstOrDefault(p => p.Item1.Name == name) is { Item1: not null } same)
            {
                r.Error(o.Line, $"path '{name}' is listed twice in {r.Label} (first at line {same.Item2})");
                continue;
            }
            paths.Add((new PeerPathConfig(name, local, remote), o.Line));
        }
        return paths;
    }

    private static (string? Secret, string? SecretFile) Secret(SectionReader r)
    {
        var inline = r.Get("secret");
        var file = r.AbsolutePath("secret_file");
        if (inline is not null && r.Get("secret_file") is not null)
        {
            r.Error(inline.Line, "give either secret or secret_file, not both");
            return (null, null);
        }
        if (inline is null && r.Get("secret_file") is null)
        {
            r.Error(r.Section.Line, $"{r.Label}: missing 'option secret_file' (or 'option secret'): the key both routers share");
            return (null, null);
        }
        // The rule's message describes the secret, never quotes it: the message ends up in logs.
        if (inline is not null && PeerSecretRule.Problem(inline.Value) is { } weak)
        {
            r.Error(inline.Line, weak);
            return (null, null);
        }
        return (inline?.Value.Trim(), file);
    }

    private static bool TryAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains('%') || text.Contains('/') || !IPAddress.TryParse(text, out var a)) return false;
        address = a;
        return true;
    }
}
