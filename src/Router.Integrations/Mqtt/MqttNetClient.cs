#if MQTTNET
using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Router.Core.Text;
using Router.Integrations.Logging;
using Lib = MQTTnet;

namespace Router.Integrations.Mqtt;

/// <summary>
/// Evaluation (issue 17): the same seam as the hand-written client, on MQTTnet 5. Built only with
/// -p:MqttLibrary=MQTTnet, when it takes the name MqttClient so the publisher and the tests run unchanged.
/// MQTTnet 5 has no managed (queueing) client, so the in-flight queue, resend and backoff stay here.
/// </summary>
public sealed class MqttClient : IMqttClient
{
    private readonly MqttClientOptions _options;
    private readonly Log? _log;
    private readonly object _gate = new();
    private readonly OrderedDictionary<long, MqttMessage> _inFlight = [];
    private readonly List<(string Topic, int Qos)> _subscriptions = [];
    private readonly CancellationTokenSource _stop = new();
    private Channel<(long Id, MqttMessage Message, bool Dup)>? _out;
    private TaskCompletionSource _drained = Completed();
    private long _lastId;
    private volatile bool _stopping;
    private Task? _run;
    private long _dropped;
    private string? _lastError;
    private int _failures;
    private long _connections;
    private DateTimeOffset? _nextAttempt;
    private Lib.IMqttClient? _client;

    public MqttClient(MqttClientOptions options, Log? log = null)
    {
        _options = options;
        _log = log;
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
                return _out.Writer.TryWrite((0, message, false));
            }
            if (_inFlight.Count >= _options.MaxInFlight)
            {
                _inFlight.RemoveAt(0);
                _dropped++;
            }
            var id = ++_lastId;
            _inFlight.Add(id, message);
            if (_drained.Task.IsCompleted) _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _out?.Writer.TryWrite((id, message, false));
            return true;
        }
    }

    public void Subscribe(string topicFilter, int qos)
    {
        Lib.IMqttClient? client;
        lock (_gate)
        {
            _subscriptions.Add((topicFilter, qos));
            client = _out is null ? null : _client;
        }
        if (client is not null) _ = SubscribeAsync(client, [(topicFilter, qos)], _stop.Token);
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
        Lib.IMqttClient? client;
        lock (_gate)
        {
            _stopping = true;
            client = _client;
        }
        if (client is { IsConnected: true })
        {
            using var cts = new CancellationTokenSource(timeout);
            try { await client.DisconnectAsync(new MqttClientDisconnectOptions(), cts.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or Lib.Exceptions.MqttCommunicationException) { }
        }
        _stop.Cancel();
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
        _client?.Dispose();
        _stop.Dispose();
    }

    private static TaskCompletionSource Completed()
    {
        var t = new TaskCompletionSource();
        t.SetResult();
        return t;
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
            catch (Exception e)
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
            try { await Task.Delay(delay, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(_options.MaxBackoff.TotalMilliseconds,
            _options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + 0.5 * Random.Shared.NextDouble()));
    }

    private void Failed(string error)
    {
        error = SafeText.Clean(error, 200)!;
        bool wasConnected, repeated;
        lock (_gate)
        {
            wasConnected = _failures == 0;
            repeated = _lastError == error;
            _lastError = error;
            _failures++;
        }
        if (_stopping) return;
        if (wasConnected || !repeated) _log?.Warn($"mqtt {_options.Endpoint}: {error}; retrying with backoff");
        else _log?.Debug($"mqtt {_options.Endpoint}: {error}");
    }

    private static string Explain(Exception e) => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;

    private Lib.MqttClientOptions LibraryOptions()
    {
        var tcp = new MqttClientTcpOptions
        {
            RemoteEndpoint = new DnsEndPoint(_options.Host, _options.Port),
            NoDelay = true,
        };
        if (_options.Tls)
        {
            tcp.TlsOptions = new MqttClientTlsOptions
            {
                UseTls = true,
                TargetHost = _options.Host,
                RevocationMode = X509RevocationMode.NoCheck,
                ClientCertificatesProvider = _options.LoadClientCertificate() is { } certs ? new Certificates(certs) : null,
            };
            if (_options.CaFile is { } caFile)
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(caFile);
                if (roots.Count == 0) throw new CryptographicException($"{caFile} holds no certificate");
                tcp.TlsOptions.CertificateValidationHandler = a => Trusted(a, roots);
            }
        }
        var o = new Lib.MqttClientOptions
        {
            ChannelOptions = tcp,
            ClientId = _options.ClientId,
            CleanSession = true,
            KeepAlivePeriod = _options.Keepalive,
            Timeout = _options.ConnectTimeout,
            // MaximumPacketSize is refused with 3.1.1 ("requires MQTT version 5.0.0") and MQTTnet only announces
            // it: nothing on the receive side enforces a bound.
            ProtocolVersion = MqttProtocolVersion.V311,
        };
        if (_options.Username is { } user)
            o.Credentials = new MqttClientCredentials(user, _options.Password is { } p ? System.Text.Encoding.UTF8.GetBytes(p) : null);
        if (_options.Will is { } will)
        {
            o.WillTopic = will.Topic;
            o.WillPayload = will.Payload;
            o.WillQualityOfServiceLevel = (MqttQualityOfServiceLevel)will.Qos;
            o.WillRetain = will.Retain;
        }
        return o;
    }

    /// <summary>The CA file as the only roots, as the hand-written client does; no downloads, no revocation.</summary>
    private static bool Trusted(MqttClientCertificateValidationEventArgs a, X509Certificate2Collection roots)
    {
        if ((a.SslPolicyErrors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (a.Chain is { } sent)
            foreach (var e in sent.ChainElements) chain.ChainPolicy.ExtraStore.Add(e.Certificate);
        return chain.Build(new X509Certificate2(a.Certificate));
    }

    private async Task SessionAsync(CancellationToken ct)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            closed.TrySetResult(e.Exception ?? new IOException($"disconnected ({e.Reason})"));
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            Received?.Invoke(new MqttMessage(m.Topic, m.Payload.ToArray(), (int)m.QualityOfServiceLevel, m.Retain));
            return Task.CompletedTask;
        };
        lock (_gate) _client = client;
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connectTimeout.CancelAfter(_options.ConnectTimeout);
            var result = await client.ConnectAsync(LibraryOptions(), connectTimeout.Token).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success) throw new IOException($"connection refused: {result.ResultCode}");
        }
        var channel = Channel.CreateUnbounded<(long, MqttMessage, bool)>(new UnboundedChannelOptions { SingleReader = true });
        List<(string, int)> subscriptions;
        int resent;
        lock (_gate)
        {
            if (_stopping) return;
            _out = channel;
            _connections++;
            _failures = 0;
            _lastError = null;
            _nextAttempt = null;
            subscriptions = [.. _subscriptions];
            resent = _inFlight.Count;
            foreach (var (id, m) in _inFlight) channel.Writer.TryWrite((id, m, true));
        }
        _log?.Info($"mqtt {_options.Endpoint}: connected as {_options.ClientId}{(resent > 0 ? $", resending {resent} unacknowledged" : "")}");
        try
        {
            if (subscriptions.Count > 0) await SubscribeAsync(client, subscriptions, ct).ConfigureAwait(false);
            Connected?.Invoke();
            var writer = WriteLoopAsync(client, channel.Reader, ct);
            var first = await Task.WhenAny(writer, closed.Task).ConfigureAwait(false);
            if (first == closed.Task && !_stopping) throw await closed.Task.ConfigureAwait(false) ?? new EndOfStreamException();
            await first.ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _out = null;
            channel.Writer.TryComplete();
            client.Dispose();
        }
    }

    private async Task SubscribeAsync(Lib.IMqttClient client, IEnumerable<(string Topic, int Qos)> filters, CancellationToken ct)
    {
        var options = new MqttClientSubscribeOptions();
        foreach (var (topic, qos) in filters)
            options.TopicFilters.Add(new MQTTnet.Packets.MqttTopicFilter { Topic = topic, QualityOfServiceLevel = (MqttQualityOfServiceLevel)qos });
        var result = await client.SubscribeAsync(options, ct).ConfigureAwait(false);
        if (result.Items.Any(i => (int)i.ResultCode >= 0x80))
        {
            lock (_gate) _lastError = "the broker refused a subscription (ACL?)";
            _log?.Warn($"mqtt {_options.Endpoint}: the broker refused a subscription (check its ACL)");
        }
    }

    private async Task WriteLoopAsync(Lib.IMqttClient client, ChannelReader<(long Id, MqttMessage Message, bool Dup)> frames, CancellationToken ct)
    {
        while (await frames.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (frames.TryRead(out var f))
            {
                var m = new MqttApplicationMessage
                {
                    Topic = f.Message.Topic,
                    PayloadSegment = f.Message.Payload,
                    QualityOfServiceLevel = (MqttQualityOfServiceLevel)f.Message.Qos,
                    Retain = f.Message.Retain,
                    Dup = f.Dup,
                };
                var sent = client.PublishAsync(m, ct);
                if (f.Message.Qos == 0) await sent.ConfigureAwait(false);
                else _ = AcknowledgedAsync(sent, f.Id);
            }
        }
    }

    private async Task AcknowledgedAsync(Task<MqttClientPublishResult> sent, long id)
    {
        try
        {
            var r = await sent.ConfigureAwait(false);
            if (!r.IsSuccess) return;
        }
        catch (Exception)
        {
            return; // the session ended: the message stays in flight and is resent after the reconnect
        }
        lock (_gate)
        {
            _inFlight.Remove(id);
            if (_inFlight.Count == 0) _drained.TrySetResult();
        }
    }

    private sealed class Certificates(X509Certificate2Collection certs) : IMqttClientCertificatesProvider
    {
        public X509CertificateCollection GetCertificates() => certs;
    }
}
#endif
