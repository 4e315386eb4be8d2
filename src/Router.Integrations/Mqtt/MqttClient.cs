using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Router.Core.Text;
using Router.Integrations.Logging;

namespace Router.Integrations.Mqtt;

/// <summary>
/// A small MQTT 5 / 3.1.1 client for one job: keep a connection to one broker, publish QoS 0/1 (retained or not),
/// receive a few subscriptions. Clean session on every connect; QoS 1 messages stay in flight until PUBACK and
/// are resent with DUP after a reconnect; PINGREQ every keepalive, and a broker silent for 1.5 keepalives is
/// treated as gone. Reconnects back off exponentially (capped) with jitter so a fleet does not reconnect in step.
/// With MQTT 5 it announces its packet limit and sends message expiry; a broker that refuses MQTT 5 as an
/// unacceptable version is spoken to in 3.1.1 from then on (protocol auto).
/// Not a general-purpose library: no QoS 2, no persistent sessions, no topic aliases or other MQTT 5 extras.
/// </summary>
public sealed class MqttClient : IMqttClient
{
    private readonly MqttClientOptions _options;
    private readonly Log? _log;
    private readonly object _gate = new();
    private readonly OrderedDictionary<ushort, Pending> _inFlight = [];
    private readonly List<(string Topic, int Qos)> _subscriptions = [];
    private readonly CancellationTokenSource _stop = new();
    private Channel<byte[]>? _out;
    private TaskCompletionSource _drained = Completed();
    private ushort _lastId;
    private volatile bool _stopping;
    private Task? _run;
    private long _dropped;
    private string? _lastError;
    private int _failures;
    private long _connections;
    private DateTimeOffset? _nextAttempt;
    private long _lastReceived;
    private volatile MqttVersion _version;

    public MqttClient(MqttClientOptions options, Log? log = null)
    {
        _options = options;
        _log = log;
        _version = options.Protocol == Router.Core.Config.MqttProtocol.V311 ? MqttVersion.V311 : MqttVersion.V5;
    }

    public event Action? Connected;
    public event Action<MqttMessage>? Received;

    public MqttClientStatus Status
    {
        get
        {
            lock (_gate) return new MqttClientStatus(_out is not null, _lastError, _failures, _inFlight.Count, _dropped, _nextAttempt) { Connections = _connections };
        }
    }

    public void Start()
    {
        lock (_gate) _run ??= Task.Run(() => RunAsync(_stop.Token));
    }

    public bool Publish(MqttMessage message)
    {
        if (message.Qos is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(message), "QoS 0 or 1 only");
        lock (_gate)
        {
            if (_stopping) return false;
            if (message.Qos == 0)
            {
                if (_out is null)
                {
                    _dropped++;
                    return false;
                }
                return _out.Writer.TryWrite(Encode(message, 0, dup: false, Stopwatch.GetTimestamp()));
            }
            if (_inFlight.Count >= _options.MaxInFlight)
            {
                _inFlight.RemoveAt(0);
                _dropped++;
            }
            var id = NextPacketId();
            var queued = Stopwatch.GetTimestamp();
            _inFlight.Add(id, new Pending(message, queued));
            if (_drained.Task.IsCompleted) _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _out?.Writer.TryWrite(Encode(message, id, dup: false, queued));
            return true;
        }
    }

    public void Subscribe(string topicFilter, int qos)
    {
        lock (_gate)
        {
            _subscriptions.Add((topicFilter, qos));
            _out?.Writer.TryWrite(MqttPackets.Subscribe(NextPacketId(), [(topicFilter, qos)], _version));
        }
    }

    public async Task StopAsync(TimeSpan timeout)
    {
        Task drained, run;
        lock (_gate)
        {
            drained = _out is null ? Task.CompletedTask : _drained.Task;
            run = _run ?? Task.CompletedTask;
        }
        await Task.WhenAny(drained, Task.Delay(timeout)).ConfigureAwait(false);
        lock (_gate)
        {
            _stopping = true;
            // The writer sends DISCONNECT last and ends the session: the broker then drops the will.
            if (_out is { } ch && ch.Writer.TryWrite(MqttPackets.Disconnect)) ch.Writer.TryComplete();
            else _stop.Cancel();
        }
        if (await Task.WhenAny(run, Task.Delay(timeout)).ConfigureAwait(false) != run) _stop.Cancel();
        try { await run.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_run is { } run)
        {
            try { await run.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }

    private static TaskCompletionSource Completed()
    {
        var t = new TaskCompletionSource();
        t.SetResult();
        return t;
    }

    /// <summary>
    /// The expiry sent is what is left of it: a message held through an outage does not get its full time again
    /// at the broker. Callers drop a message whose expiry ran out before it could be sent.
    /// </summary>
    private byte[] Encode(MqttMessage m, ushort id, bool dup, long queued)
    {
        uint? left = null;
        if (_version == MqttVersion.V5 && m.Expiry is { } expiry)
            left = (uint)Math.Max(1, Math.Ceiling((expiry - Stopwatch.GetElapsedTime(queued)).TotalSeconds));
        return MqttPackets.Publish(m, id, dup, _version, left);
    }

    private static bool Expired(Pending p) => p.Message.Expiry is { } e && Stopwatch.GetElapsedTime(p.Queued) >= e;

    /// <summary>Ids 1..65535, skipping any still waiting for its PUBACK (0 is not a valid id).</summary>
    private ushort NextPacketId()
    {
        do { _lastId = (ushort)(_lastId == ushort.MaxValue ? 1 : _lastId + 1); } while (_inFlight.ContainsKey(_lastId));
        return _lastId;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && !_stopping)
        {
            try
            {
                await SessionAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (MqttRefusedException r) when (MqttPackets.IsUnsupportedVersion(r.Code) && _version == MqttVersion.V5
                                                  && _options.Protocol == Router.Core.Config.MqttProtocol.Auto)
            {
                // A 3.1.1 broker answers an MQTT 5 CONNECT this way (3.1.1 spec 3.1.2.2): ask again at once in 3.1.1,
                // and keep to it for the life of the process.
                _version = MqttVersion.V311;
                _log?.Info($"mqtt {_options.Endpoint}: the broker does not speak MQTT 5, using MQTT 3.1.1");
                continue;
            }
            catch (Exception e) when (e is IOException or SocketException or AuthenticationException or TimeoutException
                                          or OperationCanceledException or CryptographicException or MqttRefusedException)
            {
                Failed(Explain(e));
            }
            if (_stopping) return;
            TimeSpan delay;
            lock (_gate)
            {
                delay = Backoff(_failures);
                _nextAttempt = DateTimeOffset.UtcNow + delay;
            }
            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
    }

    /// <summary>min(max, min x 2^failures), then a random 50..100 % of it.</summary>
    private TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(_options.MaxBackoff.TotalMilliseconds,
            _options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + 0.5 * Random.Shared.NextDouble()));
    }

    private void Failed(string error)
    {
        // Exception text can carry what the broker sent (a certificate's names, a protocol complaint): one bounded line.
        error = SafeText.Clean(error, 200)!;
        bool wasConnected, repeated;
        lock (_gate)
        {
            wasConnected = _failures == 0;
            repeated = _lastError == error;
            _lastError = error;
            _failures++;
        }
        // One line per new kind of failure, not one per retry: a broker down for a day must not flood logread.
        if (_stopping) return;
        if (wasConnected || !repeated) _log?.Warn($"mqtt {_options.Endpoint}: {error}; retrying with backoff");
        else _log?.Debug($"mqtt {_options.Endpoint}: {error}");
    }

    private static string Explain(Exception e) => e switch
    {
        MqttRefusedException r => r.Message,
        AuthenticationException a => $"TLS handshake failed: {a.Message}{(a.InnerException is { } i ? $" ({i.Message})" : "")}",
        CryptographicException c => $"cannot load TLS files: {c.Message}",
        OperationCanceledException or TimeoutException => $"timed out ({e.Message})",
        EndOfStreamException => "the broker closed the connection",
        _ => e.Message,
    };

    private async Task SessionAsync(CancellationToken ct)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var tcp = new TcpClient { NoDelay = true };
        Stream stream;
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connectTimeout.CancelAfter(_options.ConnectTimeout);
            try
            {
                await tcp.ConnectAsync(_options.Host, _options.Port, connectTimeout.Token).ConfigureAwait(false);
                stream = await SecureAsync(tcp.GetStream(), connectTimeout.Token).ConfigureAwait(false);
                await stream.WriteAsync(MqttPackets.Connect(_options.ClientId, (ushort)_options.Keepalive.TotalSeconds,
                    _options.Username, _options.Password, _options.Will, _version, _options.MaxPacketSize), connectTimeout.Token).ConfigureAwait(false);
                var code = MqttPackets.ConnAckCode(await MqttPackets.ReadAsync(stream, _options.MaxPacketSize, connectTimeout.Token).ConfigureAwait(false));
                if (code != 0) throw new MqttRefusedException(code);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"no CONNACK within {_options.ConnectTimeout.TotalSeconds:0.#} s");
            }
        }
        await using var _ = stream.ConfigureAwait(false);

        var channel = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        int resent;
        lock (_gate)
        {
            if (_stopping) return;
            _out = channel;
            _connections++;
            _failures = 0;
            _lastError = null;
            _nextAttempt = null;
            foreach (var (topic, qos) in _subscriptions)
                channel.Writer.TryWrite(MqttPackets.Subscribe(NextPacketId(), [(topic, qos)], _version));
            for (var i = _inFlight.Count - 1; i >= 0; i--)
            {
                if (!Expired(_inFlight.GetAt(i).Value)) continue;
                _inFlight.RemoveAt(i);
                _dropped++;
            }
            if (_inFlight.Count == 0) _drained.TrySetResult();
            resent = _inFlight.Count;
            foreach (var (id, p) in _inFlight) channel.Writer.TryWrite(Encode(p.Message, id, dup: true, p.Queued));
        }
        Interlocked.Exchange(ref _lastReceived, Stopwatch.GetTimestamp());
        _log?.Info($"mqtt {_options.Endpoint}: connected as {_options.ClientId} (MQTT {(_version == MqttVersion.V5 ? "5" : "3.1.1")})" +
                   (resent > 0 ? $", resending {resent} unacknowledged" : ""));
        try
        {
            Connected?.Invoke();
            var tasks = new[]
            {
                ReadLoopAsync(stream, session.Token),
                WriteLoopAsync(stream, channel.Reader, session.Token),
                KeepaliveLoopAsync(channel.Writer, session.Token),
            };
            var first = await Task.WhenAny(tasks).ConfigureAwait(false);
            session.Cancel();
            // Closing the socket ends a write stuck on a frozen broker's full receive window.
            tcp.Close();
            try { await Task.WhenAll(tasks).ConfigureAwait(false); }
            catch (Exception) { /* the others only fail because we cut them off: the first one's outcome counts */ }
            await first.ConfigureAwait(false);
            if (!_stopping) throw new EndOfStreamException();
        }
        finally
        {
            lock (_gate) _out = null;
            channel.Writer.TryComplete();
        }
    }

    private async Task<Stream> SecureAsync(NetworkStream plain, CancellationToken ct)
    {
        if (!_options.Tls) return plain;
        var auth = new SslClientAuthenticationOptions
        {
            TargetHost = _options.Host,
            ClientCertificates = _options.LoadClientCertificate(),
            // Nothing is fetched over HTTP (missing intermediates, CRLs, OCSP): the release binary leaves that code
            // out (src/Router.Daemon/NoCertificateDownloads.substitution.xml), so the broker must send its chain.
            CertificateChainPolicy = new X509ChainPolicy
            {
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            },
        };
        if (_options.CaFile is { } caFile)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            if (roots.Count == 0) throw new CryptographicException($"{caFile} holds no certificate");
            auth.CertificateChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            auth.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }
        var ssl = new SslStream(plain, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(auth, ct).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ReadLoopAsync(Stream stream, CancellationToken ct)
    {
        while (true)
        {
            var p = await MqttPackets.ReadAsync(stream, _options.MaxPacketSize, ct).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastReceived, Stopwatch.GetTimestamp());
            switch (p.Type)
            {
                case PacketType.PubAck:
                    var id = MqttPackets.PacketId(p);
                    lock (_gate)
                    {
                        _inFlight.Remove(id);
                        if (_inFlight.Count == 0) _drained.TrySetResult();
                    }
                    break;
                case PacketType.Publish:
                    var (message, packetId) = MqttPackets.ParsePublish(p, _version);
                    if (message.Qos == 1)
                        lock (_gate) _out?.Writer.TryWrite(MqttPackets.PubAck(packetId));
                    Received?.Invoke(message);
                    break;
                case PacketType.SubAck:
                    if (MqttPackets.SubAckCodes(p, _version).Any(MqttPackets.IsRefusal))
                    {
                        lock (_gate) _lastError = "the broker refused a subscription (ACL?)";
                        _log?.Warn($"mqtt {_options.Endpoint}: the broker refused a subscription (check its ACL)");
                    }
                    break;
                case PacketType.PingResp:
                    break;
                case PacketType.Disconnect when _version == MqttVersion.V5:
                    throw new MqttProtocolException(MqttPackets.DisconnectMeaning(p));
                default:
                    throw new MqttProtocolException($"unexpected {MqttPackets.Describe(p)} from the broker");
            }
        }
    }

    private static async Task WriteLoopAsync(Stream stream, ChannelReader<byte[]> frames, CancellationToken ct)
    {
        while (await frames.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (frames.TryRead(out var frame)) await stream.WriteAsync(frame, ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>PINGREQ every keepalive whatever else is sent, so QoS 0 traffic alone cannot hide a dead broker.</summary>
    private async Task KeepaliveLoopAsync(ChannelWriter<byte[]> frames, CancellationToken ct)
    {
        var interval = _options.Keepalive;
        var deadline = interval * 1.5;
        using var timer = new PeriodicTimer(interval / 2);
        var lastPing = Stopwatch.GetTimestamp();
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastReceived)) > deadline)
                throw new TimeoutException($"no answer from the broker for {deadline.TotalSeconds:0.#} s");
            if (Stopwatch.GetElapsedTime(lastPing) >= interval)
            {
                frames.TryWrite(MqttPackets.PingReq);
                lastPing = Stopwatch.GetTimestamp();
            }
        }
    }
}

/// <summary>A QoS 1 message waiting for its PUBACK, and when it was queued (Stopwatch ticks) for its expiry.</summary>
/// <remarks>A class, not a tuple: a value type would make NativeAOT compile the whole OrderedDictionary once more.</remarks>
internal sealed record Pending(MqttMessage Message, long Queued);

/// <summary>CONNACK with a non-zero return code: the broker is there but will not have us.</summary>
public sealed class MqttRefusedException(int code) : Exception($"connection {MqttPackets.ConnAckMeaning(code)}")
{
    public int Code { get; } = code;
}
