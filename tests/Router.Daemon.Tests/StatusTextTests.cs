using System.Text.Json;
using Router.Daemon.Control;

namespace Router.Daemon.Tests;

/// <summary>`routerha status` prints names and errors that a peer, a broker or a file chose: on a console they must not
/// clear the screen, add a line of their own or reverse the text an operator reads.</summary>
public class StatusTextTests
{
    private const string Hostile = "evil\u001b[2J\nnode 10.0.0.9: routerha FAKE\u202e";

    private static StatusReport Report() => new(
        Node: Hostile, Version: "1.0", Pid: 42, UptimeS: 1, ConfigPath: "/etc/config/routerha", Maintenance: false,
        Instances:
        [
            new InstanceStatus("lan", 51, 3, "ipv4", "br-lan", "MASTER", 150, 150, Hostile, 150, true, 1000, 3414, ["192.168.1.1/24"],
                true, false, false, null, "send failed: " + Hostile,
                new CounterStatus(10, 0, 1, 0, 0, 0, 0, 0, new Dictionary<string, long> { [Hostile] = 1 }, 3, Hostile),
                [new TransitionStatus(DateTimeOffset.UnixEpoch, "BACKUP", "MASTER", "higher priority " + Hostile)]),
        ],
        Notify: new NotifyStatus(0, 0, 0),
        Integrations: ["mqtt: disconnected: " + Hostile],
        Role: new RoleStatus("MASTER", Hostile, true, null, "Up", false, [new StepView("vpn", "Tunnel", "Start", "failed", 1, Hostile)], 0),
        Fence: new FenceStatus("Wait", "peer heard on " + Hostile, "Master", Hostile, 100, 0, 0, 0, false, 0, 0, 0,
            new Dictionary<string, double> { ["lan"] = 100 }, new Dictionary<string, long> { [Hostile] = 2 }),
        Peers: [new PeerPathView(Hostile, true, Hostile, "10.0.0.3", 5, "refused: " + Hostile, new Dictionary<string, long> { [Hostile] = 1 })],
        Tracks: [new TrackView(Hostile, false, 3, 3, Hostile)],
        Leases: new LeasesView(1, 0, 0, 0, 0, Hostile, new LeaseSyncView(Hostile, true, true, 1, 1, 0, 10, 1, 1, 1, 1, 0, 0.1, Hostile)),
        FenceAgent: new FenceAgentInfo(Hostile, 5, "failed", Hostile, 1, 100, 20),
        Watchdog: new WatchdogStatus("procd", 10, 5, true, 1, 1, 100, Hostile));

    private static StatusReport Clean() => Report() with
    {
        Node = "b",
        Integrations = ["mqtt: connected"],
        Instances = [],
        Role = null,
        Fence = null,
        Peers = null,
        Tracks = null,
        Leases = null,
        FenceAgent = null,
        Watchdog = null,
    };

    [Fact]
    public void ANodeIdWithAnEscapeAndANewlinePrintsNoEscapeAndNoExtraLine()
    {
        var text = StatusText.Render(Clean() with { Node = "b\u001b[2J\nnode c" });

        Assert.DoesNotContain('\u001b', text);
        Assert.Equal(StatusText.Render(Clean()).Split('\n').Length, text.Split('\n').Length);
        Assert.StartsWith("node b?[2J?node c: routerha", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryOutsideStringInTheTextViewIsPrintedCleaned()
    {
        var text = StatusText.Render(Report());

        Assert.All(text.Split('\n'), line => Assert.True(Router.Core.Text.SafeText.IsClean(line), line));
        // Every line is one the renderer wrote: none starts with the forged "node 10.0.0.9" text.
        Assert.DoesNotContain(text.Split('\n'), l => l.StartsWith("node 10.0.0.9", StringComparison.Ordinal));
        Assert.Contains("evil?[2J?node 10.0.0.9: routerha FAKE?", text);
    }

    [Fact]
    public void TheJsonViewEscapesControlAndFormatCharactersAndKeepsTheValue()
    {
        var json = ControlJsonText.Status(Report());

        Assert.DoesNotContain(json, c => c < ' ' && c != '\n' && c != '\r' || c == '\u202e' || c == '\u007f');
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(Hostile, doc.RootElement.GetProperty("node").GetString());
    }
}
