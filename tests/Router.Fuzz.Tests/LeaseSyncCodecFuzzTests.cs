using FsCheck;
using FsCheck.Fluent;
using Router.Core.Leases;
using Xunit.Abstractions;

namespace Router.Fuzz.Tests;

/// <summary>
/// Lease pages from the peer end up in dnsmasq's lease file: the codec must refuse what it cannot read without
/// throwing or allocating what a count field claims, and every row it accepts must print as one lease line.
/// </summary>
public sealed class LeaseSyncCodecFuzzTests(ITestOutputHelper output)
{
    private static Gen<string?> Optional(Gen<string> gen) =>
        Gen.Frequency((1, Gen.Constant<string?>(null)), (3, gen.Select(s => (string?)s)));

    public static readonly Gen<LeaseRecord> Row =
        from mac in Inputs.Mac
        from address in Inputs.Address
        from expires in Gen.Frequency((1, Gen.Constant(0L)), (4, Inputs.UInt64.Select(u => (long)(u >> 1))))
        from hostname in Optional(Inputs.Token(63))
        from clientId in Optional(Inputs.Token(40))
        from iface in Optional(Inputs.Token(15))
        from stamp in Inputs.UInt64.Select(u => (long)u)
        from origin in Inputs.Token(36)
        from deleted in Gen.Elements(true, false)
        select new LeaseRecord(new LeaseKey(mac, address), expires, hostname, clientId, iface, HybridTimestamp.FromPacked(stamp), origin, deleted);

    private static readonly Gen<LeaseSyncMessage> Valid = Gen.OneOf(
        from session in Inputs.UInt64
        from store in Optional(Inputs.Token(36))
        from after in Inputs.UInt64.Select(u => (long)u)
        select (LeaseSyncMessage)new LeaseSyncRequest(session, store, after),
        from session in Inputs.UInt64
        from store in Inputs.Token(36)
        from start in Gen.Choose(0, int.MaxValue).Select(n => (long)n)
        from span in Gen.Choose(0, 1000)
        from more in Gen.Elements(true, false)
        from rows in Gen.ListOf(Row, 12)
        select (LeaseSyncMessage)new LeaseSyncPage(session, store, start, start + span, more, rows.ToList()),
        from session in Inputs.UInt64
        from store in Inputs.Token(36)
        from to in Inputs.UInt64.Select(u => (long)u)
        select (LeaseSyncMessage)new LeaseSyncAck(session, store, to));

    [Fact]
    public void ALeaseMessageSurvivesEncodeAndDecode()
    {
        FuzzRun.Check(output, "lease sync round trip", Valid, message =>
        {
            var wire = LeaseSyncCodec.Encode(message);
            var got = LeaseSyncCodec.Decode(LeaseSyncCodec.TypeOf(message), wire, out var error);
            Assert.Null(error);
            Assert.Equal(message.GetType(), got!.GetType());
            if (message is LeaseSyncPage page)
                Assert.Equal(page.Rows, ((LeaseSyncPage)got).Rows);
            Assert.Equal(wire, LeaseSyncCodec.Encode(got));
        });
    }

    [Fact]
    public void AnyBytesDecodeToAMessageWhoseRowsPrintAsLeaseLinesOrToAReason()
    {
        var gen =
            from bytes in Inputs.Hostile(Valid.Select(LeaseSyncCodec.Encode))
            from type in Gen.Frequency(
                (6, Gen.Elements(LeaseMessageTypes.Request, LeaseMessageTypes.Page, LeaseMessageTypes.Ack)),
                (1, Gen.Choose(0, ushort.MaxValue).Select(t => (ushort)t)))
            select (bytes, type);
        FuzzRun.Check(output, "lease sync hostile", gen, input =>
        {
            var message = Budget.Allocation(input.bytes.Length, 4096, 128, () =>
                LeaseSyncCodec.Decode(input.type, input.bytes, out var error) is { } m
                    ? m
                    : error is null ? throw new InvalidOperationException("refused without a reason") : null);
            if (message is LeaseSyncPage page)
                foreach (var row in page.Rows)
                    LeaseLines.AssertOneLine(row);
        });
    }
}
