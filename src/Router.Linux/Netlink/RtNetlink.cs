namespace Router.Linux.Netlink;

/// <summary>rtnetlink numbers from linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h.</summary>
internal static class RtNetlink
{
    public const int HeaderSize = 16;      // struct nlmsghdr
    public const int IfInfoMsgSize = 16;   // struct ifinfomsg
    public const int IfAddrMsgSize = 8;    // struct ifaddrmsg

    public const ushort NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;
    public const ushort NLM_F_REQUEST = 0x1, NLM_F_ACK = 0x4;
    public const ushort NLM_F_DUMP = 0x300, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;

    public const ushort RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18;
    public const ushort RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;

    public const uint RTMGRP_LINK = 0x1, RTMGRP_IPV4_IFADDR = 0x10, RTMGRP_IPV6_IFADDR = 0x100;

    public const ushort IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_OPERSTATE = 16;
    public const uint IFF_UP = 0x1, IFF_LOWER_UP = 0x10000;
    public const byte IF_OPER_UNKNOWN = 0, IF_OPER_UP = 6;

    public const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_FLAGS = 8;
    public const uint IFA_F_SECONDARY = 0x01, IFA_F_NODAD = 0x02;
    public const byte RT_SCOPE_UNIVERSE = 0;

    public static int Align(int length) => (length + 3) & ~3;
}
