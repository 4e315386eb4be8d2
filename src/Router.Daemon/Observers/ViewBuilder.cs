using Router.Core.Net;
using Router.Core.Roles;
using Router.Core.Vrrp;
using Router.Daemon.Instances;
using Router.Daemon.Leases;
using Router.Daemon.Notify;
using Router.Daemon.Peers;
using Router.Daemon.Roles;
using Router.Integrations.Events;

namespace Router.Daemon.Observers;

/// <summary>The one projection integrations read (MQTT, Home Assistant): built from what the components hold,
/// without a kernel dump or a store query.</summary>
internal static class ViewBuilder
{
    public static RouterView Build(string node, InstanceSet instances, RoleDriver roles, PeerLink? peer, LeaseDriver leases, TimeSpan now)
    {
        var coordinator = roles.Coordinator;
        return new RouterView(node, Cli.Version, instances.Maintenance,
            instances.All.Where(r => !r.Stopping).Select(r => new InstanceView(
                r.Name, r.Settings.Vrid, r.Config.Interface, StateNames.Of(r.Machine.State), r.Machine.EffectivePriority,
                r.Machine.MasterAddress?.ToString(), r.Machine.State == VrrpState.Master && r.Link is not null && r.VipsPresent,
                IpPrefix.Strings(r.Config.VirtualPrefixes))
            { ConfiguredPriority = r.Settings.Priority }).ToList())
        {
            LeaseCount = leases.Count,
            Role = coordinator.Plan is { } p ? new RoleView(p.Target is { } t ? RoleNames.Of(t) : null, p.Finished, coordinator.Tunnel.ToString(),
                coordinator.Demoted, p.Steps.Select(s => new ActionView(s.Name, s.Phase.ToString().ToLowerInvariant(),
                    s.Direction.ToString().ToLowerInvariant(), RoleNames.Of(s.Outcome), s.Error)).ToList()) : null,
            Fence = coordinator.Fence is { } fence && coordinator.Verdict(now) is { } v
                ? new FenceView(v.Gate.ToString(), v.Reason, fence.DualMasterSince is not null, fence.Counters.DualMasterEpisodes)
                {
                    Agent = coordinator.FenceAgent is { } a ? new FenceAgentView(FenceAgentNames.Of(a.Outcome), a.Detail, a.Runs) : null,
                }
                : null,
            PeerPaths = peer?.Links(),
            Enforcement = coordinator.Enforcement is { Actions.Count: > 0 } e
                ? new EnforcementView(e.Interval.TotalSeconds, e.Active, e.Actions.Select(a => new DriftView(a.Action, DriftNames.Of(a.State),
                    a.Episodes, a.Corrections, a.State == DriftState.Drifting ? a.LastDrift : null)).ToList())
                : null,
        };
    }
}
