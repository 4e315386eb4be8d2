using System.Net.Sockets;
using Router.Core.Config;
using Router.Core.Fencing;
using Router.Core.Net;
using Router.Daemon.Health;
using Router.Daemon.Instances;
using Router.Daemon.Leases;
using Router.Daemon.Notify;
using Router.Daemon.Observers;
using Router.Daemon.Peers;
using Router.Daemon.Roles;

namespace Router.Daemon.Control;

/// <summary>`routerha status`: what each component holds, read without changing any of it.</summary>
internal sealed class StatusBuilder(TimeProvider clock, long startTimestamp)
{
    private readonly DateTimeOffset _startWall = clock.GetUtcNow() - clock.GetElapsedTime(startTimestamp);

    public StatusReport Build(RouterConfig config, InstanceSet instances, RoleDriver roles, PeerLink? peer, LeaseDriver leases,
        HealthDriver? health, NotifyDispatcher notify, ObserverHub hub, TimeSpan now)
    {
        var n = notify.Counts;
        return new StatusReport(
            Node: NodeIdentity.Of(config.Global),
            Version: Cli.Version,
            Pid: Environment.ProcessId,
            UptimeS: Math.Round(now.TotalSeconds, 3),
            ConfigPath: config.SourcePath,
            Maintenance: instances.Maintenance,
            Instances: instances.All.Select(Instance).ToList(),
            Notify: new NotifyStatus(n.Started, n.Failed, n.TimedOut),
            Integrations: hub.Health(),
            Role: roles.Status(),
            Fence: WithWindow(roles.FenceStatus(now), config),
            Peers: peer?.PathsStatus(),
            Tracks: health?.View(),
            Leases: leases.View(now),
            FenceAgent: roles.FenceAgentInfo(now),
            Enforcement: roles.Enforcement(now, _startWall));
    }

    /// <summary>The fence's reasoning on the window: how long the peer has been silent, of how long, and what the window must outlast.</summary>
    private static FenceStatus? WithWindow(FenceStatus? fence, RouterConfig config)
    {
        if (fence is null || config.Peers.FirstOrDefault() is not { } peer) return fence;
        var budget = FenceBudget.Of(config);
        return fence with
        {
            PeerSilentS = fence.LastHeardAgoMs.Count == 0 ? null : Math.Round(fence.LastHeardAgoMs.Values.Min() / 1000, 3),
            WindowS = peer.FenceWindow.TotalSeconds,
            WindowNeeds = budget.Explain(),
            WindowLongEnough = peer.FenceWindow >= budget.Required,
        };
    }

    private InstanceStatus Instance(InstanceRuntime rt)
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
            State: StateNames.Of(m.State),
            Priority: s.Priority,
            EffectivePriority: m.EffectivePriority,
            Master: m.MasterAddress?.ToString(),
            MasterPriority: m.MasterPriority,
            IsMaster: m.State == Router.Core.Vrrp.VrrpState.Master,
            AdvertIntervalMs: m.MasterAdvertInterval.TotalMilliseconds,
            MasterDownIntervalMs: Math.Round(m.MasterDownInterval.TotalMilliseconds, 3),
            Vips: IpPrefix.Strings(rt.Config.VirtualPrefixes),
            VipsPresent: rt.Link is not null && rt.VipsPresent,
            Maintenance: m.Maintenance,
            Unicast: !rt.IsMulticast,
            SyncGroup: rt.Config.SyncGroup,
            LastError: rt.LastError,
            Counters: new CounterStatus(c.AdvertsSent, c.AdvertsReceived, c.BecameMaster, c.PriorityZeroSent,
                c.PriorityZeroReceived, c.MasterConflicts, rt.VipsRestored, c.PeerTakeovers, Drops(rt),
                rt.UnknownMasters.Count, rt.UnknownMasters.LastSource?.ToString()),
            Transitions: m.Transitions.Select(t => new TransitionStatus(_startWall + t.At, StateNames.Of(t.From), StateNames.Of(t.To), t.Reason)).ToList());
    }

    private static Dictionary<string, long> Drops(InstanceRuntime rt)
    {
        // A loop, not LINQ over the KeyValuePair struct (binary size: toolchain/README.md, "Size options").
        var drops = new Dictionary<string, long>();
        foreach (var (reason, n) in rt.Drops) drops[reason.ToString()] = n;
        if (rt.ShedPackets > 0) drops["Overload"] = rt.ShedPackets;
        return drops;
    }
}
