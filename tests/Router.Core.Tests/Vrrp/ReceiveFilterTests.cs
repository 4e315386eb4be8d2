using System.Net;
using System.Net.Sockets;
using Router.Core.Vrrp;
using static Router.Core.Tests.Vrrp.CodecTestSupport;

namespace Router.Core.Tests.Vrrp;

public class ReceiveFilterTests
{
    private static readonly byte[] Secret12 = "secret12"u8.ToArray();

    private static readonly VrrpInstanceSettings V3Settings = new()
    {
        Name = "lan",
        Vrid = 77,
        VirtualAddresses = [Vip],
    };

    private static readonly VrrpInstanceSettings V2PassSettings = V3Settings with
    {
        Version = VrrpVersion.V2,
        AuthType = VrrpAuthType.Pass,
        AuthData = Secret12,
    };

    private static VrrpAdvertisement Captured(string hex)
    {
        Assert.True(VrrpCodec.TryDecode(Convert.FromHexString(hex), RouterA, Group4, 255, out var adv, out _));
        return adv!;
    }

    private static VrrpAdvertisement V2Adv(VrrpAuthType authType = VrrpAuthType.Pass, byte[]? authData = null, ushort intervalCs = 100)
        => new(VrrpVersion.V2, 77, 150, intervalCs, [Vip], authType, authData ?? Secret12);

    [Fact]
    public void KeepalivedAdvertsPassAMatchingInstance()
    {
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(Captured(V3Adv1Hex), V3Settings));
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(Captured(V3Prio0Hex), V3Settings));
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(Captured(V2PassHex), V2PassSettings));
    }

    [Fact]
    public void VersionMismatch()
    {
        Assert.Equal(VrrpDropReason.BadVersion, VrrpReceiveFilter.Check(Captured(V2PassHex), V3Settings));
        Assert.Equal(VrrpDropReason.BadVersion, VrrpReceiveFilter.Check(Captured(V3Adv1Hex), V2PassSettings));
    }

    [Fact]
    public void FamilyMismatch()
    {
        var v6 = new VrrpAdvertisement(VrrpVersion.V3, 77, 150, 100, [IPAddress.Parse("fe80::1")]);
        Assert.Equal(VrrpDropReason.BadAddressFamily, VrrpReceiveFilter.Check(v6, V3Settings));
        var v6Settings = V3Settings with { Family = AddressFamily.InterNetworkV6, VirtualAddresses = [IPAddress.Parse("fe80::1")] };
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(v6, v6Settings));
        Assert.Equal(VrrpDropReason.BadAddressFamily, VrrpReceiveFilter.Check(Captured(V3Adv1Hex), v6Settings));
    }

    [Theory]
    [InlineData(VrrpAuthType.None, VrrpAuthType.Pass)]
    [InlineData(VrrpAuthType.Pass, VrrpAuthType.None)]
    [InlineData(VrrpAuthType.Ah, VrrpAuthType.Pass)]
    [InlineData((VrrpAuthType)5, VrrpAuthType.None)]
    public void AuthTypeMismatch(VrrpAuthType received, VrrpAuthType configured)
    {
        var settings = V2PassSettings with { AuthType = configured, AuthData = configured == VrrpAuthType.Pass ? Secret12 : null };
        Assert.Equal(VrrpDropReason.AuthTypeMismatch, VrrpReceiveFilter.Check(V2Adv(received), settings));
    }

    [Fact]
    public void WrongPasswordIsAuthMismatch()
    {
        Assert.Equal(VrrpDropReason.AuthMismatch, VrrpReceiveFilter.Check(V2Adv(authData: "secret13"u8.ToArray()), V2PassSettings));
        Assert.Equal(VrrpDropReason.AuthMismatch, VrrpReceiveFilter.Check(V2Adv(authData: "Secret12"u8.ToArray()), V2PassSettings));
        // The padding is part of the password: "secret" is not "secret12".
        Assert.Equal(VrrpDropReason.AuthMismatch, VrrpReceiveFilter.Check(V2Adv(authData: "secret\0\0"u8.ToArray()), V2PassSettings));
        // A password check precedes the interval check.
        Assert.Equal(VrrpDropReason.AuthMismatch,
            VrrpReceiveFilter.Check(V2Adv(authData: "secret13"u8.ToArray(), intervalCs: 300), V2PassSettings));
    }

    [Fact]
    public void ShortPasswordsCompareNulPadded()
    {
        var settings = V2PassSettings with { AuthData = "pw"u8.ToArray() };
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(V2Adv(authData: "pw\0\0\0\0\0\0"u8.ToArray()), settings));
        Assert.Equal(VrrpDropReason.AuthMismatch, VrrpReceiveFilter.Check(V2Adv(authData: "pw\0\0\0\0\0x"u8.ToArray()), settings));
    }

    [Fact]
    public void PassConfiguredWithoutPasswordAcceptsNothing()
    {
        var settings = V2PassSettings with { AuthData = null };
        Assert.Equal(VrrpDropReason.AuthMismatch, VrrpReceiveFilter.Check(V2Adv(authData: new byte[8]), settings));
    }

    [Fact]
    public void AuthDataIsIgnoredWithoutAuthentication()
    {
        var settings = V2PassSettings with { AuthType = VrrpAuthType.None, AuthData = null };
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(V2Adv(VrrpAuthType.None, "garbage!"u8.ToArray()), settings));
    }

    [Fact]
    public void V2IntervalMustMatchTheConfiguredOne()
    {
        Assert.Equal(VrrpDropReason.IntervalMismatch, VrrpReceiveFilter.Check(V2Adv(intervalCs: 200), V2PassSettings));
        var threeSeconds = V2PassSettings with { AdvertInterval = TimeSpan.FromSeconds(3) };
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(V2Adv(intervalCs: 300), threeSeconds));
        Assert.Equal(VrrpDropReason.IntervalMismatch, VrrpReceiveFilter.Check(V2Adv(intervalCs: 100), threeSeconds));
    }

    [Fact]
    public void V3TakesTheMastersIntervalWhateverItIs()
    {
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(Captured(V3Adv001Hex), V3Settings));
    }

    [Fact]
    public void DifferentVipListIsAcceptedButDetectable()
    {
        var other = new VrrpAdvertisement(VrrpVersion.V3, 77, 150, 100, [IPAddress.Parse("192.168.77.9")]);
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(other, V3Settings));
        Assert.False(VrrpReceiveFilter.AddressesMatch(other, V3Settings));
        Assert.True(VrrpReceiveFilter.AddressesMatch(Captured(V3Adv1Hex), V3Settings));
    }

    [Fact]
    public void AddressesMatchIgnoresOrderButNotCountOrDuplicates()
    {
        var a = IPAddress.Parse("10.0.0.1");
        var b = IPAddress.Parse("10.0.0.2");
        var settings = V3Settings with { VirtualAddresses = [a, b] };
        VrrpAdvertisement Adv(params IPAddress[] addresses) => new(VrrpVersion.V3, 77, 150, 100, addresses);

        Assert.True(VrrpReceiveFilter.AddressesMatch(Adv(b, a), settings));
        Assert.False(VrrpReceiveFilter.AddressesMatch(Adv(a), settings));
        Assert.False(VrrpReceiveFilter.AddressesMatch(Adv(a, a), settings));
        Assert.False(VrrpReceiveFilter.AddressesMatch(Adv(a, b, b), settings));
    }

    [Fact]
    public void VridIsNotThisFiltersConcern()
    {
        Assert.Equal(VrrpDropReason.None, VrrpReceiveFilter.Check(Captured(V3Adv1Hex), V3Settings with { Vrid = 12 }));
    }
}
