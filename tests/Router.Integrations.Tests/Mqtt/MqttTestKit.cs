using System.Collections.Concurrent;
using Router.Core.Config;
using Router.Integrations.Events;
using Router.Integrations.Logging;
using Router.Integrations.Mqtt;
using Router.LabKit;

namespace Router.Integrations.Tests.Mqtt;

/// <summary>Log lines kept for assertions.</summary>
internal sealed class CapturedLog : ILogSink
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _lines = new();
    public void Write(LogLevel level, string message) => _lines.Enqueue((level, message));
    public IReadOnlyList<(LogLevel Level, string Text)> Lines => [.. _lines];
    public string All => string.Join('\n', _lines.Select(l => $"{l.Level}: {l.Text}"));
}

/// <summary>Commands the publisher forwarded, in order, each answered "ok".</summary>
internal sealed class RecordedCommands
{
    private readonly ConcurrentQueue<(string Command, bool? On)> _calls = new();
    public IReadOnlyList<(string Command, bool? On)> Calls => [.. _calls];

    public Task<(bool Ok, string Message)> Sink(string command, bool? on)
    {
        _calls.Enqueue((command, on));
        return Task.FromResult((true, $"{command} accepted"));
    }
}

internal static class MqttTestKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static RouterView View(string state, int priority = 150, string node = "r1", int? leases = 3) =>
        new(node, "1.2.3-test", false,
            [new InstanceView("lan", 51, "br-lan", state, priority, state == "MASTER" ? "10.0.0.2" : "10.0.0.3", state == "MASTER", ["10.0.0.1/24"])])
        { LeaseCount = leases };

    /// <summary>A MASTER with a role plan whose DHCP start failed, a peer reached on one of two paths.</summary>
    public static RouterView FullView() => View("MASTER") with
    {
        Role = new RoleView("MASTER", true, "Up", false,
        [
            new ActionView("wan", "wan", "start", "ok", null),
            new ActionView("fence", "fence", "start", "ok", null),
            new ActionView("glorytun", "tunnel", "start", "ok", null),
            new ActionView("dnsmasq", "dhcp", "start", "failed", "exit code 1"),
        ]),
        Fence = new FenceView("Allowed", "peer confirmed its tunnel is released", false, 2),
        PeerPaths = [new PeerLinkView("lan", true), new PeerLinkView("wan", false)],
    };

    public static RouterEvent Transition(string from, string to, string reason) =>
        new(DateTimeOffset.UtcNow, "transition", "lan", $"lan: {from} -> {to} ({reason})",
            new Dictionary<string, string> { ["from"] = from, ["to"] = to, ["reason"] = reason, ["priority"] = "150" });

    public static MqttConfig Config(Mosquitto broker, Func<MqttConfig, MqttConfig>? change = null)
    {
        var c = new MqttConfig { Host = broker.Options.Address.ToString(), Port = broker.Options.Port, NodeId = "r1" };
        return change is null ? c : change(c);
    }

    public static (MqttPublisher Publisher, CapturedLog Log) Publisher(MqttConfig config, RecordedCommands? commands = null)
    {
        var log = new CapturedLog();
        var p = MqttPublisher.Create(config, "r1", (commands ?? new RecordedCommands()).Sink, new Log(LogLevel.Debug, log));
        return (p, log);
    }

    public static Task UntilAsync(Func<bool> condition, string what, Func<string>? diagnostics = null) =>
        Wait.UntilAsync(condition, Patience, what, diagnostics);

    public static Task ConnectedAsync(MqttPublisher p, CapturedLog log) =>
        UntilAsync(() => p.Health!.Contains(": connected", StringComparison.Ordinal), "the publisher to connect",
            () => $"{p.Health}\n{log.All}");
}
