using System.Net;
using System.Net.Sockets;
using Router.Core.Net;
using Router.Core.Vrrp;
using Router.Integrations.Logging;

namespace Router.Daemon.Instances;

/// <summary>
/// Where an instance's commands meet the kernel: adverts on its socket, VIPs through rtnetlink, gratuitous ARP / NA,
/// and which VIPs the link has (one dump when the link is learnt, then netlink events). A failure is kept in the
/// instance's LastError for status, never thrown into the loop.
/// </summary>
internal sealed class InstanceEdge(DaemonPorts ports, Log log)
{
    /// <summary>Grows when a VIP appeared on or left a link (the published view shows it).</summary>
    public long Version { get; private set; }

    public void SendAdvert(InstanceRuntime rt, byte priority)
    {
        var socket = rt.Socket;
        if (socket is null) return;
        var adv = rt.Advertisement(priority);
        foreach (var destination in rt.Destinations())
        {
            try
            {
                socket.Send(VrrpCodec.Encode(adv, socket.SourceAddress, destination), destination);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                rt.LastError = $"send to {destination} failed: {ex.Message}";
                log.Debug($"{rt.Name}: {rt.LastError}");
            }
        }
    }

    public void Announce(InstanceRuntime rt, int rounds)
    {
        if (rt.Link is not { } link) return;
        for (var i = 0; i < rounds; i++)
            foreach (var vip in rt.Settings.VirtualAddresses)
            {
                try { ports.Announcer.Announce(link, vip); }
                catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
                {
                    rt.LastError = $"announce {vip} failed: {ex.Message}";
                    log.Warn($"{rt.Name}: {rt.LastError}");
                }
            }
    }

    /// <summary>Both directions are idempotent in the kernel port; a failure is kept for status, never thrown.</summary>
    public void ChangeVips(InstanceRuntime rt, bool add)
    {
        if (rt.Link is not { } link) return;
        foreach (var vip in rt.Config.VirtualPrefixes)
        {
            try
            {
                if (add) ports.Network.AddAddress(link.Index, vip);
                else ports.Network.RemoveAddress(link.Index, vip);
                if (add ? rt.PresentVips.Add(vip.Address) : rt.PresentVips.Remove(vip.Address)) Version++;
            }
            catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException)
            {
                rt.LastError = add ? $"cannot add {vip} to {link.Name}: {ex.Message}" : $"cannot remove {vip} from {link.Name}: {ex.Message}";
                log.Error($"{rt.Name}: {rt.LastError}");
            }
        }
    }

    /// <summary>One dump when the link is (re)learnt; from then on netlink events keep the set.</summary>
    public void LearnPresent(InstanceRuntime rt)
    {
        if (rt.Link is not { } link) return;
        try
        {
            var present = ports.Network.GetAddresses(link.Index, rt.Settings.Family);
            SetPresent(rt, IpPrefix.Addresses(rt.Config.VirtualPrefixes).Where(a => IpPrefix.AnyWithAddress(present, a)));
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException)
        {
            SetPresent(rt, []);
        }
    }

    public void SetPresent(InstanceRuntime rt, IEnumerable<IPAddress> present)
    {
        var fresh = present.ToHashSet();
        if (rt.PresentVips.SetEquals(fresh)) return;
        rt.PresentVips.Clear();
        rt.PresentVips.UnionWith(fresh);
        Version++;
    }

    public void OnAddressAdded(InstanceRuntime rt, IPAddress address)
    {
        if (IsVip(rt, address) && rt.PresentVips.Add(address)) Version++;
    }

    /// <summary>True when the address was one of this instance's VIPs.</summary>
    public bool OnAddressRemoved(InstanceRuntime rt, IPAddress address)
    {
        if (!IsVip(rt, address)) return false;
        if (rt.PresentVips.Remove(address)) Version++;
        return true;
    }

    private static bool IsVip(InstanceRuntime rt, IPAddress address) => IpPrefix.AnyWithAddress(rt.Config.VirtualPrefixes, address);
}
