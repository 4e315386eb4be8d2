using System.Security.Cryptography.X509Certificates;

namespace Router.Integrations.Mqtt;

/// <summary>
/// The one seam between the publisher and the wire: a connection that keeps itself up (reconnecting with
/// backoff) and never blocks its caller. Everything the publisher knows about MQTT goes through here.
/// </summary>
public interface IMqttClient : IAsyncDisposable
{
    /// <summary>Begins connecting in the background.</summary>
    void Start();

    /// <summary>
    /// Queues a message and returns at once. QoS 0 is dropped (false) while disconnected; QoS 1 is kept until
    /// the broker acknowledges it and resent with DUP after a reconnect.
    /// </summary>
    bool Publish(MqttMessage message);

    /// <summary>Remembered and (re)sent after every connect: the session is clean.</summary>
    void Subscribe(string topicFilter, int qos);

    /// <summary>Raised on the client's own task after each successful CONNECT (subscriptions already sent).</summary>
    event Action? Connected;

    /// <summary>A message on a subscribed topic; raised on the client's own task, so handlers return quickly.</summary>
    event Action<MqttMessage>? Received;

    MqttClientStatus Status { get; }

    /// <summary>Waits up to the timeout for queued QoS 1 messages to be acknowledged, then disconnects cleanly (no will).</summary>
    Task StopAsync(TimeSpan timeout);
}

public sealed record MqttClientStatus(bool Connected, string? LastError, int FailedAttempts, int InFlight, long Dropped,
    DateTimeOffset? NextAttempt)
{
    /// <summary>Connections made so far, counted in the same snapshot as Connected: a change means a new session.</summary>
    public long Connections { get; init; }
}

public sealed record MqttClientOptions
{
    public required string Host { get; init; }
    public int Port { get; init; } = 1883;
    public required string ClientId { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    public TimeSpan Keepalive { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Published by the broker when we vanish without DISCONNECT (crash, kill -9, cable).</summary>
    public MqttMessage? Will { get; init; }
    public bool Tls { get; init; }
    /// <summary>PEM bundle trusted as the only roots for the broker's certificate; null = the system store.</summary>
    public string? CaFile { get; init; }
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }
    /// <summary>TCP + TLS + CONNACK must complete within this.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>QoS 1 messages waiting for PUBACK beyond this drop the oldest: memory stays bounded when the broker is gone.</summary>
    public int MaxInFlight { get; init; } = 64;
    /// <summary>A packet from the broker announcing more than this (remaining length, bytes) closes the connection
    /// before its body is read. What we subscribe to is a few words; 64 KiB leaves room for any sane broker.</summary>
    public int MaxPacketSize { get; init; } = Router.Core.Config.MqttConfig.DefaultMaxPacketSize;
    public Router.Core.Config.MqttProtocol Protocol { get; init; } = Router.Core.Config.MqttProtocol.Auto;

    public string Endpoint => $"{(Tls ? "mqtts" : "mqtt")}://{Host}:{Port}";

    internal X509Certificate2Collection? LoadClientCertificate() =>
        CertFile is null || KeyFile is null ? null : [X509Certificate2.CreateFromPemFile(CertFile, KeyFile)];
}
