using System.Runtime.InteropServices;
using Router.Core.Ports;

namespace Router.Linux.Netlink;

internal sealed partial class RtNetlinkControl : ILinkControl
{
    public void SetLinkUp(string name, bool up)
    {
        // ifinfomsg: change mask IFF_UP so only the admin flag moves; the device is named by IFLA_IFNAME.
        Span<byte> ifinfo = stackalloc byte[RtNetlink.IfInfoMsgSize];
        ifinfo.Clear();
        MemoryMarshal.Write(ifinfo[8..], up ? RtNetlink.IFF_UP : 0u);
        MemoryMarshal.Write(ifinfo[12..], RtNetlink.IFF_UP);
        var request = new NetlinkRequest(RtNetlink.RTM_NEWLINK, RtNetlink.NLM_F_REQUEST | RtNetlink.NLM_F_ACK, ifinfo)
            .Attribute(RtNetlink.IFLA_IFNAME, name);
        var operation = $"RTM_NEWLINK {name} {(up ? "up" : "down")}";
        Throw(Run(request, [], operation), operation);
    }
}
