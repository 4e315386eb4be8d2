namespace Router.LabKit;

/// <summary>
/// The smallest lab, for socket and rtnetlink tests: two fresh namespaces joined by one veth (<see cref="IfA"/> in
/// A, <see cref="IfB"/> in B), IPv4 <see cref="AddrA"/>/24 and <see cref="AddrB"/>/24, IPv6 DAD off and the
/// link-local addresses already usable. Deleted on Dispose, also when setup fails halfway.
/// </summary>
public sealed class NetnsPair : IDisposable
{
    public const string IfA = "va", IfB = "vb";
    public const string AddrA = "10.77.0.1", AddrB = "10.77.0.2";

    public Netns A { get; }
    public Netns B { get; }

    public NetnsPair()
    {
        var baseName = $"{LabRun.Prefix}{LabRun.NextTopologyNumber() % 0x1000:x3}";
        var created = new List<Netns>();
        try
        {
            foreach (var role in "ab")
            {
                var ns = Netns.Create(baseName + role);
                created.Add(ns);
                // Before the veth exists, so that its link-local address is never tentative on DAD.
                ns.Sysctl("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
            }
            (A, B) = (created[0], created[1]);
            A.Ip("link", "add", IfA, "type", "veth", "peer", "name", IfB, "netns", B.Name);
            A.Ip("addr", "add", AddrA + "/24", "dev", IfA);
            B.Ip("addr", "add", AddrB + "/24", "dev", IfB);
            A.Ip("link", "set", IfA, "up");
            B.Ip("link", "set", IfB, "up");
            A.WaitForLinkLocal(IfA);
            B.WaitForLinkLocal(IfB);
        }
        catch
        {
            foreach (var ns in created) ns.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
