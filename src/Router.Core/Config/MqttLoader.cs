namespace Router.Core.Config;

/// <summary>Validates the "config mqtt" section. Returns null when the section says enabled '0'.</summary>
internal static class MqttLoader
{
    public static MqttConfig? Load(SectionReader r)
    {
        var enabled = r.Bool("enabled", true);
        var tls = r.Bool("tls", false);
        var host = Host(r);
        var port = r.Int("port", 1, 65535) ?? (tls ? 8883 : 1883);
        var username = NonEmpty(r, "username");
        var password = r.Get("password")?.Value;
        if (password is not null && username is null)
            r.Error(r.Get("password")!.Line, "password given without username");
        var keepalive = r.Seconds("keepalive", TimeSpan.FromSeconds(30), 5, 3600);
        var caFile = r.AbsolutePath("ca_file");
        var certFile = r.AbsolutePath("cert_file");
        var keyFile = r.AbsolutePath("key_file");
        foreach (var name in (string[])["ca_file", "cert_file", "key_file"])
            if (!tls && r.Get(name) is { } o)
                r.Error(o.Line, $"{name} needs option tls '1'");
        if ((certFile is null) != (keyFile is null) && (r.Get("cert_file") ?? r.Get("key_file")) is { } half)
            r.Error(half.Line, "cert_file and key_file go together (the client certificate and its private key)");

        var defaults = new MqttConfig { Host = "" };
        var config = new MqttConfig
        {
            Host = host ?? "",
            Port = port,
            Username = username,
            Password = password,
            NodeId = TopicLevel(r, "node_id", single: true),
            ClientId = ClientId(r),
            TopicPrefix = TopicLevel(r, "topic_prefix", single: false) ?? defaults.TopicPrefix,
            Keepalive = keepalive,
            Tls = tls,
            CaFile = caFile,
            CertFile = certFile,
            KeyFile = keyFile,
            Discovery = r.Bool("discovery", true),
            DiscoveryPrefix = TopicLevel(r, "discovery_prefix", single: false) ?? defaults.DiscoveryPrefix,
            Commands = r.Bool("commands", false),
            MaxPacketSize = r.Int("max_packet_size", MqttConfig.MinMaxPacketSize, MqttConfig.MaxMaxPacketSize) ?? MqttConfig.DefaultMaxPacketSize,
            Protocol = Protocol(r),
            EventExpiry = EventExpiry(r),
            Line = r.Section.Line,
        };
        return enabled ? config : null;
    }

    private static MqttProtocol Protocol(SectionReader r)
    {
        if (r.Get("protocol") is not { } o) return MqttProtocol.Auto;
        switch (o.Value)
        {
            case "auto": return MqttProtocol.Auto;
            case "5": return MqttProtocol.V5;
            case "3.1.1": return MqttProtocol.V311;
            default:
                r.Error(o.Line, $"protocol '{o.Value}' is not one of auto, 5, 3.1.1");
                return MqttProtocol.Auto;
        }
    }

    /// <summary>Whole seconds, 0 = never; MQTT 5 only (a 3.1.1 broker has no expiry to give).</summary>
    private static TimeSpan? EventExpiry(SectionReader r)
    {
        if (r.Get("event_expiry") is null) return MqttConfig.DefaultEventExpiry;
        var seconds = r.Int("event_expiry", 0, MqttConfig.MaxEventExpirySeconds);
        return seconds is null ? MqttConfig.DefaultEventExpiry : seconds == 0 ? null : TimeSpan.FromSeconds(seconds.Value);
    }

    private static string? Host(SectionReader r)
    {
        if (r.Get("host") is not { } o)
        {
            r.Error(r.Section.Line, "the mqtt section needs option host (the broker's address or name)");
            return null;
        }
        if (o.Value.Length > 0 && !o.Value.Any(c => char.IsWhiteSpace(c) || c == '/')) return o.Value;
        r.Error(o.Line, $"host '{o.Value}' is not an address or host name");
        return null;
    }

    private static string? NonEmpty(SectionReader r, string name)
    {
        if (r.Get(name) is not { } o) return null;
        if (o.Value.Length > 0) return o.Value;
        r.Error(o.Line, $"{name} must not be empty (leave the option out instead)");
        return null;
    }

    /// <summary>The client id is sent as is; brokers must accept 1..23 characters of [0-9a-zA-Z] and most take more.</summary>
    private static string? ClientId(SectionReader r)
    {
        if (r.Get("client_id") is not { } o) return null;
        if (o.Value.Length is > 0 and <= 65535 && !o.Value.Any(char.IsWhiteSpace)) return o.Value;
        r.Error(o.Line, "client_id must not be empty or contain spaces");
        return null;
    }

    /// <summary>
    /// A topic part we build names from: no wildcards (+ #), no empty levels. node_id is also a Home Assistant
    /// object id, so it is held to [A-Za-z0-9_-].
    /// </summary>
    private static string? TopicLevel(SectionReader r, string name, bool single)
    {
        if (r.Get(name) is not { } o) return null;
        var v = o.Value;
        var ok = single
            ? v.Length > 0 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            : v.Length > 0 && !v.Any(c => c is '+' or '#' || char.IsWhiteSpace(c)) && v.Split('/').All(level => level.Length > 0);
        if (ok) return v;
        r.Error(o.Line, single
            ? $"{name} '{v}' may hold only letters, digits, '_' and '-'"
            : $"{name} '{v}' must be topic levels separated by '/', without '+', '#', spaces or empty levels");
        return null;
    }
}
