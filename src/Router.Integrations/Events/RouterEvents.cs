namespace Router.Integrations.Events;

// What the daemon tells its integrations (MQTT today; anything that reports state tomorrow). The daemon owns
// the state and pushes; an integration never reaches into the loop, it only asks through RouterCommand.

/// <summary>One VRRP instance as the outside world cares about it.</summary>
public sealed record InstanceView(
    string Name,
    int Vrid,
    string Interface,
    string State,
    int Priority,
    string? Master,
    bool VipsPresent,
    IReadOnlyList<string> Vips);

/// <summary>The whole router, pushed after every change that someone could see.</summary>
public sealed record RouterView(string Node, string Version, bool Maintenance, IReadOnlyList<InstanceView> Instances);

/// <summary>
/// Something that happened, for alerting: Kind is one of "transition", "vip_restored", "notify_failed",
/// and later "dual_master", "action_failed", "peer_lost", "peer_found". Fields carry the details by name.
/// </summary>
public sealed record RouterEvent(DateTimeOffset At, string Kind, string? Instance, string Message,
    IReadOnlyDictionary<string, string> Fields);

/// <summary>An integration. Called on the event loop thread: both methods must return at once (queue inside).</summary>
public interface IRouterObserver : IDisposable
{
    void Publish(RouterView view);
    void Publish(RouterEvent routerEvent);
    /// <summary>One line for `routerha status` (connected, queue depth, last error), or null.</summary>
    string? Health { get; }
}

/// <summary>A request from an integration into the daemon: "switchover", or "maintenance" with on/off.</summary>
public delegate Task<(bool Ok, string Message)> RouterCommand(string command, bool? on);
