using System.Threading.Channels;
using Router.Core.Ports;


namespace Router.Linux.Netlink;

/// <summary>INetlinkMonitor: link and IPv4/IPv6 address groups, read on a <see cref="ReadinessLoop"/> thread into a channel.
/// The channel is unbounded: the kernel paces the events, and the daemon's loop drains them.</summary>
internal sealed class RtNetlinkMonitor : INetlinkMonitor
{
    private readonly NetlinkSocket _socket;
    private readonly Channel<NetlinkEvent> _events = Channel.CreateUnbounded<NetlinkEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly ReadinessLoop _loop;

    public RtNetlinkMonitor()
    {
        _socket = NetlinkSocket.Open(RtNetlink.RTMGRP_LINK | RtNetlink.RTMGRP_IPV4_IFADDR | RtNetlink.RTMGRP_IPV6_IFADDR);
        _loop = new ReadinessLoop(_socket.Fd, "routerha-netlink", Drain, e => _events.Writer.TryComplete(e));
    }

    public async ValueTask<NetlinkEvent> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _events.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private void Drain()
    {
        while (true)
        {
            var length = _socket.Receive("netlink monitor recv", nonBlocking: true);
            if (length == 0) return;
            if (length == NetlinkSocket.Overrun)
            {
                _events.Writer.TryWrite(new MonitorOverrun());
                continue;
            }
            foreach (var message in NetlinkMessage.Split(_socket.Received(length)))
            {
                if (ToEvent(message) is { } e) _events.Writer.TryWrite(e);
            }
        }
    }

    private static NetlinkEvent? ToEvent(NetlinkMessage message)
    {
        switch (message.Type)
        {
            case RtNetlink.RTM_NEWLINK:
                return RtMessages.ParseLink(message.Payload) is { } link ? new LinkChanged(link) : null;
            case RtNetlink.RTM_DELLINK:
                var (index, name) = RtMessages.ParseLinkIdentity(message.Payload);
                return new LinkRemoved(index, name);
            case RtNetlink.RTM_NEWADDR:
                return RtMessages.ParseAddress(message.Payload) is { } added ? new AddressAdded(added.InterfaceIndex, added.Prefix) : null;
            case RtNetlink.RTM_DELADDR:
                return RtMessages.ParseAddress(message.Payload) is { } removed ? new AddressRemoved(removed.InterfaceIndex, removed.Prefix) : null;
            case RtNetlink.NLMSG_OVERRUN:
                return new MonitorOverrun();
            default:
                return null;
        }
    }

    public void Dispose()
    {
        _loop.Dispose();
        _socket.Dispose();
        _events.Writer.TryComplete();
    }
}
