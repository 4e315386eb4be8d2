using Router.Integrations.Events;
using Router.Integrations.Logging;

namespace Router.Daemon.Observers;

/// <summary>The integrations (MQTT, ...) that read the router: events as they happen, the view when it changed.
/// An integration that throws costs its own update, never the loop.</summary>
internal sealed class ObserverHub(IReadOnlyList<IRouterObserver> observers, Log log, TimeProvider clock)
{
    public bool Any => observers.Count > 0;

    public void Event(string kind, string? instance, string message, IReadOnlyDictionary<string, string> fields)
    {
        if (observers.Count == 0) return;
        var e = new RouterEvent(clock.GetUtcNow(), kind, instance, message, fields);
        foreach (var o in observers)
        {
            try { o.Publish(e); }
            catch (Exception ex) { log.Warn($"integration failed to take an event: {ex.Message}"); }
        }
    }

    public void View(RouterView view)
    {
        foreach (var o in observers)
        {
            try { o.Publish(view); }
            catch (Exception ex) { log.Warn($"integration failed to take the state: {ex.Message}"); }
        }
    }

    public IReadOnlyList<string> Health() => observers.Select(o => o.Health).OfType<string>().ToList();
}
