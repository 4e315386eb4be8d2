using Router.Core.Roles;
using Router.Core.Vrrp;
using Router.Daemon.Control;
using Router.Integrations.Events;

namespace Router.Daemon;

internal sealed partial class RouterDaemon
{
    /// <summary>For integrations that take commands (MQTT): the request goes through the loop like the control socket's.</summary>
    public RouterCommand Commands => async (command, on) =>
    {
        var reply = new TaskCompletionSource<ControlResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new ControlArrived(new ControlRequest(command, On: on), reply));
        var r = await reply.Task.ConfigureAwait(false);
        return (r.Ok, r.Ok ? r.Message ?? "ok" : r.Error ?? "failed");
    };

    private void PublishView()
    {
        _viewDirty = false;
        if (_observers.Count == 0) return;
        var view = new RouterView(
            _config.Global.NodeName ?? Environment.MachineName,
            Cli.Version,
            _maintenance,
            _instances.Where(r => !r.Stopping).Select(r => new InstanceView(
                r.Name, r.Settings.Vrid, r.Config.Interface, Name(r.Machine.State), r.Machine.EffectivePriority,
                r.Machine.MasterAddress?.ToString(), r.Machine.State == VrrpState.Master && VipsPresent(r),
                r.Config.VirtualPrefixes.Select(v => v.ToString()).ToList())).ToList())
        {
            LeaseCount = ActiveLeases(),
            Role = _plan?.Status is { } p ? new RoleView(p.Target is { } t ? RoleNames.Of(t) : null, p.Finished, _tunnel.ToString(), _fenceDemoted,
                p.Steps.Select(s => new ActionView(s.Name, s.Phase.ToString().ToLowerInvariant(), s.Direction.ToString().ToLowerInvariant(),
                    RoleNames.Of(s.Outcome), s.Error)).ToList()) : null,
            Fence = _fence?.Evaluate(Now) is { } v
                ? new FenceView(v.Gate.ToString(), v.Reason, _fence.DualMasterSince is not null, _fence.Counters.DualMasterEpisodes) : null,
            PeerPaths = PeerLinks(),
        };
        foreach (var o in _observers)
        {
            try { o.Publish(view); }
            catch (Exception ex) { _log.Warn($"integration failed to take the state: {ex.Message}"); }
        }
    }

    /// <summary>Every configured path, down too when the channel could not start.</summary>
    private List<PeerLinkView>? PeerLinks()
    {
        if (_peerConfig is null) return null;
        var up = _peer?.Status().Where(s => s.Up).Select(s => s.Path).ToHashSet() ?? [];
        return _peerConfig.Paths.Select(p => new PeerLinkView(p.Name, up.Contains(p.Name))).ToList();
    }

    /// <summary>A store that cannot answer shows as no count rather than costing the whole view.</summary>
    private int? ActiveLeases()
    {
        if (Leases is null) return null;
        try { return Leases.ActiveCount(_clock.GetUtcNow()); }
        catch (Exception ex)
        {
            _log.Debug($"lease count not available: {ex.Message}");
            return null;
        }
    }

    private void PublishEvent(string kind, InstanceRuntime? rt, string message, IReadOnlyDictionary<string, string> fields)
    {
        _viewDirty = true;
        if (_observers.Count == 0) return;
        var e = new RouterEvent(_clock.GetUtcNow(), kind, rt?.Name, message, fields);
        foreach (var o in _observers)
        {
            try { o.Publish(e); }
            catch (Exception ex) { _log.Warn($"integration failed to take an event: {ex.Message}"); }
        }
    }

    private IReadOnlyList<string> IntegrationHealth() =>
        _observers.Select(o => o.Health).OfType<string>().ToList();
}
