using System.Net.Sockets;
using Router.Core.Vrrp;
using Router.Daemon.Control;

namespace Router.Daemon;

internal sealed partial class RouterDaemon
{
    private ControlResponse OnControl(ControlRequest request)
    {
        switch (request.Cmd)
        {
            case "status":
                return new ControlResponse(true, Status: BuildStatus());
            case "switchover":
                return Switchover(request.Instance);
            case "maintenance" when request.On is { } on:
                _maintenance = on;
                foreach (var rt in _instances)
                {
                    rt.HandoverRequested = on;
                    Execute(rt, rt.Machine.SetMaintenance(on, Now));
                    rt.HandoverRequested = false;
                }
                _log.Info($"maintenance {(on ? "on: staying BACKUP" : "off: normal election")}");
                _viewDirty = true;
                return new ControlResponse(true, Message: on
                    ? "maintenance on: this router stays BACKUP until 'routerha maintenance off'"
                    : "maintenance off: this router takes part in elections again");
            case "maintenance":
                return new ControlResponse(false, "maintenance needs on or off");
            case "reload":
                var (ok, message) = Reload();
                return ok ? new ControlResponse(true, Message: message) : new ControlResponse(false, message);
            case "lease":
                return OnLease(request);
            default:
                return new ControlResponse(false, $"unknown command '{request.Cmd}'");
        }
    }

    private ControlResponse Switchover(string? instance)
    {
        var named = _instances.FirstOrDefault(r => r.Name == instance);
        if (instance is not null && named is null) return new ControlResponse(false, $"no instance named '{instance}'");
        // A sync group moves as one: a member left behind would preempt back and pull the group with it.
        var targets = _instances.Where(r => named is null || r == named
                                            || (named.Config.SyncGroup is { } g && r.Config.SyncGroup == g)).ToList();
        // Every member takes its no-preempt hold before any state change is executed: executing the first
        // one forces the others to BACKUP through the sync group, which would skip their hold.
        var handed = new List<(InstanceRuntime Instance, IReadOnlyList<VrrpCommand> Commands)>();
        foreach (var rt in targets)
            if (rt.Machine.TrySwitchover(Now, out var commands)) handed.Add((rt, commands));
        foreach (var (rt, commands) in handed)
        {
            rt.HandoverRequested = true;
            Execute(rt, commands);
            rt.HandoverRequested = false;
        }
        if (handed.Count == 0)
        {
            var masters = string.Join(", ", targets.Select(r => $"{r.Name}: master is {r.Machine.MasterAddress?.ToString() ?? "unknown"}"));
            return new ControlResponse(false, $"this router is not MASTER of any selected instance; run switchover on the master ({masters})");
        }
        var names = string.Join(", ", handed.Select(h => h.Instance.Name));
        _log.Info($"switchover: handed over {names}");
        return new ControlResponse(true, Message: $"handed over {names}; this router stays BACKUP until the new master fails");
    }

    private StatusReport BuildStatus() => new(
        Node: _config.Global.NodeName ?? Environment.MachineName,
        Version: Cli.Version,
        Pid: Environment.ProcessId,
        UptimeS: Math.Round(Now.TotalSeconds, 3),
        ConfigPath: _config.SourcePath,
        Maintenance: _maintenance,
        Instances: _instances.Select(InstanceStatusOf).ToList(),
        Notify: new NotifyStatus(_notify.Started, _notify.Failed, _notify.TimedOut),
        Integrations: IntegrationHealth(),
        Role: RoleStatusOf(),
        Fence: FenceStatusOf(),
        Peers: _peer?.Status().Select(p => new PeerPathView(p.Path, p.Up, p.PeerNodeId, p.Remote?.ToString(),
            p.LastHeardAgo?.TotalMilliseconds, p.LastError)).ToList(),
        Tracks: _health?.Tracks.Select(t => new TrackView(t.Settings.Name, t.Up, t.Runs, t.Failures, t.LastDetail)).ToList(),
        Leases: LeasesViewOf());

    private InstanceStatus InstanceStatusOf(InstanceRuntime rt)
    {
        var m = rt.Machine;
        var s = rt.Settings;
        var c = m.Counters;
        return new InstanceStatus(
            Name: rt.Name,
            Vrid: s.Vrid,
            Version: (int)s.Version,
            Family: s.Family == AddressFamily.InterNetwork ? "ipv4" : "ipv6",
            Interface: rt.Config.Interface,
            State: Name(m.State),
            Priority: s.Priority,
            EffectivePriority: m.EffectivePriority,
            Master: m.MasterAddress?.ToString(),
            MasterPriority: m.MasterPriority,
            IsMaster: m.State == VrrpState.Master,
            AdvertIntervalMs: m.MasterAdvertInterval.TotalMilliseconds,
            MasterDownIntervalMs: Math.Round(m.MasterDownInterval.TotalMilliseconds, 3),
            Vips: rt.Config.VirtualPrefixes.Select(v => v.ToString()).ToList(),
            VipsPresent: VipsPresent(rt),
            Maintenance: m.Maintenance,
            Unicast: !rt.IsMulticast,
            SyncGroup: rt.Config.SyncGroup,
            LastError: rt.LastError,
            Counters: new CounterStatus(c.AdvertsSent, c.AdvertsReceived, c.BecameMaster, c.PriorityZeroSent,
                c.PriorityZeroReceived, c.MasterConflicts, rt.VipsRestored,
                DropsOf(rt)),
            Transitions: m.Transitions.Select(t => new TransitionStatus(_startWall + t.At, Name(t.From), Name(t.To), t.Reason)).ToList());
    }

    private static Dictionary<string, long> DropsOf(InstanceRuntime rt)
    {
        var drops = rt.Drops.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value);
        if (rt.ShedPackets > 0) drops["Overload"] = rt.ShedPackets;
        return drops;
    }

    private bool VipsPresent(InstanceRuntime rt)
    {
        if (rt.Link is not { } link) return false;
        try
        {
            var present = _ports.Network.GetAddresses(link.Index, rt.Settings.Family);
            return rt.Config.VirtualPrefixes.All(v => present.Any(p => p.Address.Equals(v.Address)));
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException)
        {
            return false;
        }
    }
}
