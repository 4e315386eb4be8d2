using System.Threading.Channels;
using Router.Core.Config;
using Router.Core.Text;
using Router.Integrations.Events;
using Router.Integrations.Logging;

namespace Router.Integrations.Mqtt;

/// <summary>
/// The MQTT integration as the daemon sees it. Publish() only stores the newest view or queues the event and
/// wakes a worker; the worker turns them into messages for the client, which never blocks either. So a broker
/// that is down, slow or refusing us costs the event loop a lock and a channel write, nothing more.
/// While disconnected the newest state simply waits: on (re)connect the whole current state is published again.
/// </summary>
public sealed class MqttPublisher : IRouterObserver
{
    /// <summary>Events beyond this while the worker is behind drop the oldest (counted in Health).</summary>
    public const int EventQueueCapacity = 256;

    private readonly IMqttClient _client;
    private readonly MqttTopics _topics;
    private readonly string _endpoint;
    private readonly bool _discovery;
    private readonly bool _commands;
    private readonly RouterCommand _commandSink;
    private readonly Log _log;
    private readonly Channel<RouterEvent> _events;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, string> _sent = [];
    private readonly HashSet<string> _discoveryTopics = [];
    private readonly Task _worker;
    private RouterView? _view;
    /// <summary>The client's connection count when the worker last resynchronised (worker only).</summary>
    private long _sessionSeen;
    private int _rediscover;
    private int _reannounce;
    private volatile bool _disposing;
    private long _droppedEvents;
    private long _published;
    private readonly TimeSpan? _eventExpiry;

    /// <param name="eventExpiry">MQTT 5 message expiry of events (not retained): a Home Assistant that comes back
    /// late with a kept session is not handed a backlog of stale alerts. Retained topics never expire.</param>
    public MqttPublisher(MqttTopics topics, string endpoint, IMqttClient client, bool discovery, bool commands,
        RouterCommand commandSink, Log log, TimeSpan? eventExpiry = null)
    {
        _eventExpiry = eventExpiry;
        _topics = topics;
        _endpoint = endpoint;
        _client = client;
        _discovery = discovery;
        _commands = commands;
        _commandSink = commandSink;
        _log = log;
        _events = Channel.CreateBounded<RouterEvent>(
            new BoundedChannelOptions(EventQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _droppedEvents));
        // The worker sees the new session in the client's status (Connections), in the same snapshot as Connected:
        // a flag set here could arrive after the worker already sent state on the new connection, and it would be sent twice.
        _client.Connected += Wake;
        _client.Received += OnReceived;
        // A connection the broker only now finds dead (after we reconnected) fires our will late: answer it.
        _client.Subscribe(_topics.Availability, 1);
        if (_discovery) _client.Subscribe(_topics.HomeAssistantStatus, 1);
        if (_commands) _client.Subscribe(_topics.Command, 1);
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>The daemon's composition: client options from the config, will = retained "offline" on availability.</summary>
    public static MqttPublisher Create(MqttConfig config, string nodeName, RouterCommand commandSink, Log log)
    {
        var topics = new MqttTopics(config.TopicPrefix, config.NodeId ?? MqttTopics.SafeId(nodeName), config.DiscoveryPrefix);
        var options = new MqttClientOptions
        {
            Host = config.Host,
            Port = config.Port,
            ClientId = config.ClientId ?? $"routerha-{topics.NodeId}",
            Username = config.Username,
            Password = config.Password,
            Keepalive = config.Keepalive,
            Will = MqttMessage.Of(topics.Availability, "offline", qos: 1, retain: true),
            Tls = config.Tls,
            CaFile = config.CaFile,
            CertFile = config.CertFile,
            KeyFile = config.KeyFile,
            MaxPacketSize = config.MaxPacketSize,
            Protocol = config.Protocol,
        };
        var client = new MqttClient(options, log);
        var publisher = new MqttPublisher(topics, options.Endpoint, client, config.Discovery, config.Commands, commandSink, log,
            config.EventExpiry);
        client.Start();
        return publisher;
    }

    public MqttTopics Topics => _topics;

    public void Publish(RouterView view)
    {
        Volatile.Write(ref _view, view);
        Wake();
    }

    public void Publish(RouterEvent routerEvent)
    {
        _events.Writer.TryWrite(routerEvent);
        Wake();
    }

    public string? Health
    {
        get
        {
            var s = _client.Status;
            var head = s.Connected
                ? $"mqtt {_endpoint}: connected"
                : $"mqtt {_endpoint}: NOT connected{(s.LastError is { } e ? $" ({e})" : "")}" +
                  (s.NextAttempt is { } at ? $", retry in {Math.Max(0, (at - DateTimeOffset.UtcNow).TotalSeconds):0} s" : "");
            var problem = s.Connected && s.LastError is { } warn ? $" ({warn})" : "";
            return $"{head}{problem}, published {Interlocked.Read(ref _published)}, unacknowledged {s.InFlight}, " +
                   $"dropped {s.Dropped + Interlocked.Read(ref _droppedEvents)}";
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private void OnReceived(MqttMessage m)
    {
        if (m.Topic == _topics.Availability && m.Text == "offline" && !_disposing)
        {
            Interlocked.Exchange(ref _reannounce, 1);
            Wake();
        }
        else if (_discovery && m.Topic == _topics.HomeAssistantStatus && m.Text == "online")
        {
            Interlocked.Exchange(ref _rediscover, 1);
            Wake();
        }
        else if (_commands && m.Topic == _topics.Command)
            _ = RunCommandAsync(m.Text.Trim());
    }

    /// <summary>The longest valid command is 15 characters; more is shown only to say what was refused.</summary>
    private const int MaxCommandShown = 64;

    private async Task RunCommandAsync(string text)
    {
        var (command, on) = text switch
        {
            "switchover" => ("switchover", (bool?)null),
            "maintenance on" => ("maintenance", true),
            "maintenance off" => ("maintenance", false),
            _ => ((string?)null, (bool?)null),
        };
        // Anyone who may publish on the command topic chooses this text: it reaches the log and the event bounded.
        var shown = SafeText.Clean(text, MaxCommandShown)!;
        var (ok, message) = command is null
            ? (false, $"unknown command '{shown}' (switchover, maintenance on, maintenance off)")
            : await _commandSink(command, on).ConfigureAwait(false);
        _log.Info($"mqtt command '{shown}' from {_topics.Command}: {(ok ? "done" : "refused")}: {message}");
        Publish(new RouterEvent(DateTimeOffset.UtcNow, "command", null, $"command '{shown}': {message}",
            new Dictionary<string, string> { ["command"] = shown, ["ok"] = ok ? "true" : "false" }));
    }

    private async Task WorkAsync()
    {
        while (await _wake.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _wake.Reader.TryRead(out _);
            var view = Volatile.Read(ref _view);
            var status = _client.Status;
            var resync = status.Connected && status.Connections != _sessionSeen;
            if (resync) _sessionSeen = status.Connections;
            if (resync) _sent.Clear();
            if (resync || Interlocked.Exchange(ref _rediscover, 0) == 1) _discoveryTopics.Clear();
            if ((Interlocked.Exchange(ref _reannounce, 0) == 1 || resync) && !_disposing)
                Send(MqttMessage.Of(_topics.Availability, "online", 1, retain: true));
            if (view is not null && status.Connected)
            {
                if (_discovery) Discover(view);
                SendState(view);
            }
            // Events go out even while disconnected: QoS 1 keeps them until the broker takes them.
            while (_events.Reader.TryRead(out var e))
                Send(MqttMessage.Of(_topics.Events, MqttPayloads.Event(e, view?.Node ?? _topics.NodeId), 1, retain: false) with { Expiry = _eventExpiry });
        }
    }

    private void Discover(RouterView view)
    {
        foreach (var entity in HomeAssistantDiscovery.Entities(_topics, view))
            if (_discoveryTopics.Add(entity.Topic)) Send(MqttMessage.Of(entity.Topic, entity.Payload, 1, retain: true));
    }

    /// <summary>Retained topics are sent only when their payload changed since the last (re)connect.</summary>
    private void SendState(RouterView view)
    {
        var current = view.Instances.Select(i => i.Name).ToHashSet();
        foreach (var gone in _sent.Keys.Where(k => k.StartsWith("state:", StringComparison.Ordinal) && !current.Contains(k[6..])).ToList())
            SendRetained($"state:{gone[6..]}", _topics.State(gone[6..]), "STOPPED");
        foreach (var i in view.Instances) SendRetained($"state:{i.Name}", _topics.State(i.Name), i.State);
        SendRetained("status", _topics.Status, MqttPayloads.Status(view, _topics.NodeId));
    }

    private void SendRetained(string key, string topic, string payload)
    {
        if (_sent.TryGetValue(key, out var last) && last == payload) return;
        _sent[key] = payload;
        Send(MqttMessage.Of(topic, payload, 1, retain: true));
    }

    private void Send(MqttMessage m)
    {
        if (_client.Publish(m)) Interlocked.Increment(ref _published);
    }

    /// <summary>
    /// Clean shutdown (SIGTERM): every instance STOPPED, availability "offline", then DISCONNECT, bounded to a
    /// few seconds so a dead broker cannot hold up the exit.
    /// </summary>
    public void Dispose()
    {
        _disposing = true;
        _wake.Writer.TryComplete();
        _worker.Wait(TimeSpan.FromSeconds(2));
        foreach (var key in _sent.Keys.Where(k => k.StartsWith("state:", StringComparison.Ordinal)).ToList())
            _client.Publish(MqttMessage.Of(_topics.State(key[6..]), "STOPPED", 1, retain: true));
        _client.Publish(MqttMessage.Of(_topics.Availability, "offline", 1, retain: true));
        _client.StopAsync(TimeSpan.FromSeconds(2)).Wait(TimeSpan.FromSeconds(5));
        _client.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(1));
    }
}
