using Router.LabKit;
using static Router.LabKit.NetnsPair;

namespace Router.Linux.Tests;

public sealed class LinkControlTests : IDisposable
{
    private readonly NetnsPair _net = new();

    [Fact]
    public void SetLinkUpMovesTheAdminStateIdempotentlyAndTheKernelShowsIt()
    {
        using var control = _net.A.RunInside(LinuxNetwork.OpenLinkControl);
        control.SetLinkUp(IfA, false);
        control.SetLinkUp(IfA, false);
        Assert.DoesNotContain("UP", _net.A.Ip("-o", "link", "show", IfA).Split('>')[0]);
        Assert.False(Ns.Link(_net.A, IfA).AdminUp);

        control.SetLinkUp(IfA, true);
        Assert.Contains(",UP", _net.A.Ip("-o", "link", "show", IfA).Split('>')[0]);
        Assert.True(Ns.Link(_net.A, IfA).AdminUp);

        var e = Assert.Throws<LinuxNetworkException>(() => control.SetLinkUp("nosuch0", true));
        Assert.Equal(19, e.Errno); // ENODEV
    }

    public void Dispose() => _net.Dispose();
}
