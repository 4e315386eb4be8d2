using System.Net;
using Router.Core.Roles;
using Router.Integrations.Actions;
using Router.Integrations.Health;
using Router.LabKit;
using ProbeResult = Router.Integrations.Health.ProbeResult;
using Router.Linux;

namespace Router.Lab.Tests;

/// <summary>
/// Probes that need real kernel objects: a router namespace with a WAN veth to an "ISP" namespace (10.88.0.2 -> .1)
/// and a LAN device (10.99.0.1/24) the ISP has no route back to.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HealthProbeLabTests : IDisposable
{
    private static readonly IPAddress Isp = IPAddress.Parse("10.88.0.1");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly Netns _router, _isp;

    public HealthProbeLabTests()
    {
        var baseName = $"{LabRun.Prefix}{LabRun.NextTopologyNumber() % 0x1000:x3}";
        _router = Netns.Create(baseName + "r");
        try
        {
            _isp = Netns.Create(baseName + "i");
            _router.Ip("link", "add", "wan0", "type", "veth", "peer", "name", "isp0", "netns", _isp.Name);
            _router.Ip("addr", "add", "10.88.0.2/24", "dev", "wan0");
            _isp.Ip("addr", "add", "10.88.0.1/24", "dev", "isp0");
            // No dummy module on this kernel: a veth pair kept inside the router stands for its LAN.
            _router.Ip("link", "add", "lan0", "type", "veth", "peer", "name", "lan1");
            _router.Ip("addr", "add", "10.99.0.1/24", "dev", "lan0");
            foreach (var (ns, dev) in new[] { (_router, "wan0"), (_isp, "isp0"), (_router, "lan0"), (_router, "lan1") }) ns.Ip("link", "set", dev, "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private ProbeResult Run(HealthProbe probe) => _router.RunInside(() => probe.RunAsync(Timeout, CancellationToken.None).GetAwaiter().GetResult());

    private Task<ProbeResult> Eventually(HealthProbe probe, bool ok) =>
        Wait.ForAsync(() => Task.FromResult(Run(probe)), r => r.Ok == ok, TimeSpan.FromSeconds(10),
            $"{probe.GetType().Name} to report {(ok ? "up" : "down")}", r => $"last: {r.Detail}", TimeSpan.FromMilliseconds(50));

    [Theory]
    [InlineData(false, PingSocketKind.Raw)]
    [InlineData(true, PingSocketKind.Datagram)]
    public async Task PingBoundToTheWanFollowsThatLinkAndNotAnother(bool pingGroupAllowed, PingSocketKind expected)
    {
        if (pingGroupAllowed) _router.Sysctl("net.ipv4.ping_group_range=0 2147483647");
        var viaWan = new PingProbe(Isp, "wan0", null);
        var up = await Eventually(viaWan, ok: true);
        Assert.True(up.Ok, up.Detail);
        Assert.Equal(expected, viaWan.LastSocketKind);
        Assert.InRange(up.Elapsed, TimeSpan.Zero, Timeout);

        var viaLan = Run(new PingProbe(Isp, "lan0", null));
        Assert.False(viaLan.Ok);

        _isp.Ip("link", "set", "isp0", "down");
        // Silence (raw) or ENOBUFS from the unresolvable neighbour (datagram), depending on the socket: down either way.
        var cut = Run(viaWan);
        Assert.False(cut.Ok, cut.Detail);
        Assert.InRange(cut.Elapsed, TimeSpan.Zero, Timeout + TimeSpan.FromSeconds(2));

        _isp.Ip("link", "set", "isp0", "up");
        var back = await Eventually(viaWan, ok: true);
        Assert.True(back.Ok, back.Detail);
    }

    [Fact]
    public void PingFromASourceTheIspCannotAnswerFailsEndToEnd()
    {
        Assert.True(Run(new PingProbe(Isp, null, IPAddress.Parse("10.88.0.2"))).Ok);
        // The request leaves through wan0 either way; only the reply path differs.
        var r = Run(new PingProbe(Isp, null, IPAddress.Parse("10.99.0.1")));
        Assert.Equal((false, "no answer within 1 s"), (r.Ok, r.Detail));
        Assert.InRange(r.Elapsed, Timeout - TimeSpan.FromMilliseconds(50), Timeout + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task TcpBoundToTheWanConnectsToAListenerInTheIsp()
    {
        using var server = new NsListener(_isp, "10.88.0.1");
        var probe = new TcpProbe(Isp, server.Port, "wan0", null);
        var r = await Eventually(probe, ok: true);
        Assert.True(r.Ok, r.Detail);
        server.Dispose();
        var refused = Run(probe);
        Assert.Equal((false, $"10.88.0.1:{server.Port}: connection refused"), (refused.Ok, refused.Detail));
    }

    [Fact]
    public async Task LinkProbeSeesAdminStateSetByTheLinkActionAndCarrierLossAtTheFarEnd()
    {
        using var control = _router.RunInside(LinuxNetwork.OpenControl);
        var probe = new LinkProbe("wan0", control);
        Assert.Equal((true, "wan0: up"), Result(await Eventually(probe, ok: true)));

        var action = new LinkAction(["wan0"], () => _router.RunInside(LinuxNetwork.OpenLinkControl));
        await action.RunAsync(new ActionContext("wan", RoleTarget.Backup, ActionDirection.Stop, "test"), CancellationToken.None);
        Assert.Equal((false, "wan0: administratively down"), Result(Run(probe)));
        Assert.Contains("state DOWN", _router.Ip("-o", "link", "show", "wan0"));

        await action.RunAsync(new ActionContext("wan", RoleTarget.Master, ActionDirection.Start, "test"), CancellationToken.None);
        Assert.Equal((true, "wan0: up"), Result(await Eventually(probe, ok: true)));

        _isp.Ip("link", "set", "isp0", "down");
        Assert.Equal((false, "wan0: no carrier"), Result(await Eventually(probe, ok: false)));
        Assert.Equal((false, "lan9: no such device"), Result(Run(new LinkProbe("lan9", control))));
    }

    private static (bool, string) Result(ProbeResult r) => (r.Ok, r.Detail);

    public void Dispose()
    {
        _router.Dispose();
        _isp?.Dispose(); // null when the constructor failed before creating it
    }

    /// <summary>A TCP listener opened inside a namespace (the socket stays there), closed on Dispose.</summary>
    private sealed class NsListener : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener;

        public NsListener(Netns ns, string address)
        {
            _listener = ns.RunInside(() =>
            {
                var l = new System.Net.Sockets.TcpListener(IPAddress.Parse(address), 0);
                l.Start();
                return l;
            });
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        }

        public int Port { get; }

        public void Dispose() => _listener.Stop();
    }
}
