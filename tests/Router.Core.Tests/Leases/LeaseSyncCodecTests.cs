using System.Net;
using Router.Core.Leases;
using static Router.Core.Tests.Leases.LeaseKit;

namespace Router.Core.Tests.Leases;

public class LeaseSyncCodecTests
{
    private static readonly LeaseRecord Full = new(new LeaseKey("02:00:00:00:00:01", IPAddress.Parse("192.168.1.10")),
        T0.ToUnixTimeSeconds() + 600, "laptop-ü", "01:02:00:00:00:00:01", "br-lan", new HybridTimestamp(1_795_000_000_000, 7), "router-a", false);

    private static readonly LeaseRecord Sparse = new(new LeaseKey("06-02:00:00:00:00:02", IPAddress.Parse("fd00::2")),
        0, null, null, null, new HybridTimestamp(5, 0), "b", true);

    public static TheoryData<LeaseSyncMessage> Messages => new()
    {
        new LeaseSyncRequest(42, null, 0),
        new LeaseSyncRequest(ulong.MaxValue, "0123abcd", 1234567),
        new LeaseSyncAck(9, "0123abcd", 77),
        new LeaseSyncPage(3, "0123abcd", 10, 12, true, [Full, Sparse]),
        new LeaseSyncPage(3, "0123abcd", 12, 12, false, []),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void EveryMessageSurvivesTheRoundTrip(LeaseSyncMessage message)
    {
        var bytes = LeaseSyncCodec.Encode(message);
        var back = LeaseSyncCodec.Decode(LeaseSyncCodec.TypeOf(message), bytes, out var error);
        Assert.Null(error);
        if (message is LeaseSyncPage p)
        {
            var q = Assert.IsType<LeaseSyncPage>(back);
            Assert.Equal((p.Session, p.StoreId, p.FromSeq, p.ToSeq, p.More), (q.Session, q.StoreId, q.FromSeq, q.ToSeq, q.More));
            Assert.Equal(p.Rows, q.Rows);
        }
        else Assert.Equal(message, back);
    }

    [Fact]
    public void ANewerVersionIsRefusedNamingTheSideToUpgrade()
    {
        var bytes = LeaseSyncCodec.Encode(new LeaseSyncAck(1, "s", 1));
        bytes[0] = LeaseSyncCodec.Version + 1;
        Assert.Null(LeaseSyncCodec.Decode(LeaseMessageTypes.Ack, bytes, out var error));
        Assert.Equal("lease message version 2 is newer than this routerha's (1): upgrade this router; nothing was applied", error);
    }

    [Fact]
    public void BytesAppendedByACompatibleLaterVersionAreIgnored()
    {
        var bytes = LeaseSyncCodec.Encode(new LeaseSyncRequest(5, "s", 9)).Concat(new byte[] { 1, 2, 3 }).ToArray();
        Assert.Equal(new LeaseSyncRequest(5, "s", 9), LeaseSyncCodec.Decode(LeaseMessageTypes.Request, bytes, out _));
    }

    [Fact]
    public void EveryTruncationOfAPageIsAnErrorNotAnException()
    {
        var bytes = LeaseSyncCodec.Encode(new LeaseSyncPage(3, "id", 0, 2, false, [Full, Sparse]));
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Null(LeaseSyncCodec.Decode(LeaseMessageTypes.Page, bytes.AsSpan(0, n), out var error));
            Assert.NotNull(error);
        }
    }

    [Theory]
    [InlineData("host name")]
    [InlineData("evil\nline")]
    [InlineData("*")]
    public void AHostnameThatWouldBreakTheDnsmasqLeaseFileIsRefused(string hostname)
    {
        var bytes = LeaseSyncCodec.Encode(new LeaseSyncPage(3, "id", 0, 1, false, [Full with { Hostname = hostname }]));
        Assert.Null(LeaseSyncCodec.Decode(LeaseMessageTypes.Page, bytes, out var error));
        Assert.Contains("hostname", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AMacThatIsNotInTheStoredFormIsRefused()
    {
        var bytes = LeaseSyncCodec.Encode(new LeaseSyncPage(3, "id", 0, 1, false, [Full with { Key = Full.Key with { Mac = "02:00:00:00:00:0G" } }]));
        Assert.Null(LeaseSyncCodec.Decode(LeaseMessageTypes.Page, bytes, out var error));
        Assert.Contains("hardware address", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownTypeInTheLeaseRangeIsAnError()
    {
        var bytes = LeaseSyncCodec.Encode(new LeaseSyncAck(1, "s", 1));
        Assert.Null(LeaseSyncCodec.Decode(0x02ff, bytes, out var error));
        Assert.Contains("unknown lease message type 0x02ff", error, StringComparison.Ordinal);
    }
}
