using Router.Core.Config;
using Router.Core.Leases;

namespace Router.Fuzz.Tests;

/// <summary>The inputs the properties found, kept as plain regression tests.</summary>
public sealed class FindingsTests
{
    [Fact]
    public void ALeasePageAnnouncing65535RowsInAFewBytesIsRefusedWithoutReservingThem()
    {
        // version, session, store id "s", from and to seq 0, flags, then the count: 32 bytes in all.
        byte[] page = [LeaseSyncCodec.Version, .. new byte[8], 1, (byte)'s', .. new byte[8 + 8 + 1], 0xFF, 0xFF];
        var message = Budget.Allocation(page.Length, 4096, 128, () => LeaseSyncCodec.Decode(LeaseMessageTypes.Page, page, out _));
        Assert.Null(message);
    }

    [Fact]
    public void AMegabyteLongUnknownOptionCostsNoSuggestionTable()
    {
        var value = new string('v', 1 << 20);
        var text = $"config global 'main'\n\toption {value} '1'\n\toption log_level '{value}'\n";
        var errors = new List<ConfigError>();
        Budget.Allocation(text.Length, 1 << 20, 32, () => ConfigLoader.LoadGlobalAndLeasesText("/etc/config/routerha", text, errors));
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void ADhcpScriptCallWithALineBreakInItsMacIsRefusedOnOneLine()
    {
        var call = DhcpScriptParser.Parse(["add", "aa:bb\nforged log line", "192.168.1.10"],
            new Dictionary<string, string> { ["DNSMASQ_LEASE_EXPIRES"] = "1760000000" }, DateTimeOffset.UnixEpoch);
        var malformed = Assert.IsType<DhcpScriptMalformed>(call);
        Assert.DoesNotContain('\n', malformed.Error);
    }
}
