using System.Net;
using Router.Core.Config;
using Router.Core.Ports;
using Router.Core.Vrrp;
using Router.Integrations.Logging;

namespace Router.Daemon;

internal sealed partial class RouterDaemon
{
    private void OnPacket(InstanceRuntime rt, ReceivedVrrp p)
    {
        if (!_instances.Contains(rt)) return;
        // Unicast adverts may cross a routed hop; like keepalived, the TTL-255 rule applies to multicast only.
        var ttl = rt.IsMulticast ? p.Ttl : VrrpCodec.RequiredTtl;
        if (!VrrpCodec.TryDecode(p.Message, p.Source, p.Destination, ttl, out var adv, out var reason))
        {
            rt.CountDrop(reason);
            return;
        }
        if (adv!.Vrid != rt.Settings.Vrid)
        {
            // Every raw socket on the link sees every VRID; only count it when no instance of ours owns it.
            if (!_instances.Any(o => o.Config.Interface == rt.Config.Interface && o.Settings.Family == rt.Settings.Family && o.Settings.Vrid == adv.Vrid))
                rt.CountDrop(VrrpDropReason.UnknownVrid);
            return;
        }
        if (rt.Socket is { } s && p.Source.Equals(s.SourceAddress))
        {
            rt.CountDrop(VrrpDropReason.OwnPacket);
            return;
        }
        var verdict = VrrpReceiveFilter.Check(adv, rt.Settings);
        if (verdict != VrrpDropReason.None)
        {
            rt.CountDrop(verdict);
            return;
        }
        if (rt.ReleaseAt is not null && adv.Priority > 0) Release(rt, $"new master {p.Source} heard");
        if (!rt.AddressMismatchLogged && !VrrpReceiveFilter.AddressesMatch(adv, rt.Settings))
        {
            // keepalived drops these; we accept them, because ignoring a live master is how two masters happen.
            rt.AddressMismatchLogged = true;
            _log.Warn($"{rt.Name}: {p.Source} advertises VIPs {string.Join(' ', adv.Addresses)}, ours are {string.Join(' ', rt.Settings.VirtualAddresses)}: check both configs");
        }
        Execute(rt, rt.Machine.OnAdvertisement(adv, p.Source, Now));
    }

    private void OnReceiveFailed(InstanceRuntime rt, Exception error)
    {
        if (!_instances.Contains(rt)) return;
        rt.LastError = $"receive failed: {error.Message}";
        _log.Error($"{rt.Name}: {rt.LastError}; reopening the socket");
        TryOpenSocket(rt);
        if (rt.Socket is null && !rt.LinkFault)
        {
            rt.LinkFaultReason = rt.LastError;
            ApplyFault(rt, "socket reopened");
        }
    }

    private void OnKernel(NetlinkEvent e)
    {
        switch (e)
        {
            case Router.Linux.MonitorOverrun:
                _log.Warn("kernel event queue overran: re-reading links and addresses");
                ResyncLinks();
                break;
            case LinkChanged lc:
                foreach (var rt in _instances.Where(r => r.Config.Interface == lc.Link.Name).ToArray())
                    OnLink(rt, lc.Link);
                break;
            case LinkRemoved lr:
                foreach (var rt in _instances.Where(r => r.Config.Interface == lr.Name || r.Link?.Index == lr.Index).ToArray())
                {
                    rt.CloseSocket();
                    rt.Link = null;
                    if (!rt.LinkFault)
                    {
                        rt.LinkFaultReason = $"{rt.Config.Interface} removed";
                        ApplyFault(rt, "");
                    }
                }
                break;
            case AddressAdded aa:
                // An IPv6 link-local stays tentative (unusable as a source) for a moment after the link
                // comes up; opening the socket failed then, and this is the event that says it can work now.
                foreach (var rt in _instances.Where(r => r.Socket is null && r.Link?.Index == aa.InterfaceIndex).ToArray())
                    if (_ports.Network.GetInterface(rt.Config.Interface) is { } link) OnLink(rt, link);
                break;
            case AddressRemoved ar:
                foreach (var rt in _instances)
                {
                    if (rt.Machine.State != VrrpState.Master || rt.Link?.Index != ar.InterfaceIndex) continue;
                    if (!rt.Config.VirtualPrefixes.Any(v => v.Address.Equals(ar.Address.Address))) continue;
                    rt.VipsRestored++;
                    _log.Warn($"{rt.Name}: {ar.Address} was removed from {rt.Config.Interface} while MASTER; restoring and announcing it");
                    PublishEvent("vip_restored", rt, $"{rt.Name}: {ar.Address} removed from {rt.Config.Interface} while MASTER, restored",
                        new Dictionary<string, string> { ["address"] = ar.Address.ToString(), ["interface"] = rt.Config.Interface });
                    AddVips(rt);
                    Announce(rt, Math.Max(1, rt.Settings.GarpRepeat));
                }
                break;
        }
    }

    private void OnLink(InstanceRuntime rt, InterfaceInfo link)
    {
        var wasUp = rt.Link is { AdminUp: true, OperUp: true } && !rt.LinkFault;
        var indexChanged = rt.Link?.Index != link.Index;
        rt.Link = link;
        if (indexChanged || rt.Socket is null) TryOpenSocket(rt);
        var up = link.AdminUp && link.OperUp && rt.Socket is not null;
        if (!up && !rt.LinkFault)
        {
            rt.LinkFaultReason = $"{link.Name} is down";
            ApplyFault(rt, "");
        }
        else if (up && rt.LinkFault)
        {
            rt.LinkFaultReason = null;
            ApplyFault(rt, $"{link.Name} is up");
        }
        else if (up && !wasUp && rt.Machine.State == VrrpState.Master)
        {
            // netifd bounces interfaces on reload and the kernel flushes addresses: put ours back.
            AddVips(rt);
            Announce(rt, Math.Max(1, rt.Settings.GarpRepeat));
        }
    }

    /// <summary>After a monitor overrun or restart we may have missed events: re-read every link.</summary>
    private void ResyncLinks()
    {
        foreach (var rt in _instances.ToArray())
        {
            var link = _ports.Network.GetInterface(rt.Config.Interface);
            if (link is not null) OnLink(rt, link);
            else OnKernel(new LinkRemoved(rt.Link?.Index ?? -1, rt.Config.Interface));
            if (rt.Machine.State == VrrpState.Master) AddVips(rt);
        }
    }

    /// <summary>SIGHUP / `routerha reload`: a bad file changes nothing; unchanged instances keep running untouched.</summary>
    private (bool Ok, string Message) Reload()
    {
        var errors = new List<ConfigError>();
        var fresh = ConfigFile.Load(_config.SourcePath, _ports.Network, errors);
        if (fresh is null)
        {
            foreach (var err in errors) _log.Error(err.ToString());
            return (false, $"reload refused, still running the previous config: {string.Join("; ", errors.Take(5))}");
        }
        if (fresh.Global.ControlSocket != _config.Global.ControlSocket)
            _log.Warn("control_socket changed: takes effect on restart");
        if (Log.TryParseLevel(fresh.Global.LogLevel, out var level)) _log.Minimum = level;

        int kept = 0, added = 0, removed = 0;
        var restarted = new HashSet<string>();
        var byName = fresh.Instances.ToDictionary(i => i.Vrrp.Name);
        foreach (var rt in _instances.ToArray())
        {
            if (!byName.TryGetValue(rt.Name, out var ic))
            {
                StopInstance(rt, "removed from config", handover: false);
                removed++;
            }
            else if (InstanceRuntime.Fingerprint(ic) == InstanceRuntime.Fingerprint(rt.Config))
            {
                rt.Config = ic;
                kept++;
            }
            else
            {
                StopInstance(rt, "changed in config", handover: false);
                restarted.Add(rt.Name);
            }
        }
        _config = fresh with { Global = fresh.Global with { ControlSocket = _config.Global.ControlSocket } };
        foreach (var ic in fresh.Instances)
        {
            if (_instances.Any(r => r.Name == ic.Vrrp.Name)) continue;
            StartInstance(ic);
            if (!restarted.Contains(ic.Vrrp.Name)) added++;
        }
        return (true, $"config reloaded: {kept} unchanged, {restarted.Count} restarted, {added} added, {removed} removed");
    }
}
