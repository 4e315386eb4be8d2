using Router.Core.Ports;

namespace Router.Linux;

/// <summary>Yielded by the netlink monitor when the kernel dropped events (ENOBUFS): some link or address change
/// was lost, so the reader must re-read links and addresses instead of trusting its incremental view.</summary>
public sealed record MonitorOverrun : NetlinkEvent;
