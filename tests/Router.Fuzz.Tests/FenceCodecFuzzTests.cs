using FsCheck;
using FsCheck.Fluent;
using Router.Core.Fencing;
using Xunit.Abstractions;

namespace Router.Fuzz.Tests;

/// <summary>Fence states arrive over the authenticated channel, but from a peer of any version: decode or refuse, never throw.</summary>
public sealed class FenceCodecFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<FenceState> Valid =
        from boot in Inputs.UInt64
        from generation in Inputs.UInt64
        from role in Gen.Elements(FenceRole.Backup, FenceRole.Master, FenceRole.Fault)
        from priority in Inputs.Byte
        from address in Inputs.Address
        from tunnel in Gen.Elements(TunnelStatus.Released, TunnelStatus.Starting, TunnelStatus.Up, TunnelStatus.Stopping)
        from seenBoot in Inputs.UInt64
        from seenGeneration in Inputs.UInt64
        from vrrp in Gen.OneOf(Gen.Constant<System.Net.IPAddress?>(null), Inputs.Address.Select(a => (System.Net.IPAddress?)a))
        select new FenceState(boot, generation, role, priority, address, tunnel, seenBoot, seenGeneration, vrrp);

    [Fact]
    public void AFenceStateSurvivesEncodeAndDecode()
    {
        FuzzRun.Check(output, "fence round trip", Valid, state =>
        {
            var wire = FenceCodec.Encode(state);
            var got = FenceCodec.Decode(wire, out var error);
            Assert.Null(error);
            Assert.Equal(state, got);
            Assert.Equal(wire, FenceCodec.Encode(got!));
        });
    }

    [Fact]
    public void AnyBytesDecodeToAStateOrToAReason()
    {
        FuzzRun.Check(output, "fence hostile", Inputs.Hostile(Valid.Select(FenceCodec.Encode)), bytes =>
        {
            var state = Budget.Allocation(bytes.Length, 2048, 8, () => FenceCodec.Decode(bytes, out var error) is { } s
                ? s
                : error is null ? throw new InvalidOperationException("refused without a reason") : null);
            if (state is not null)
                Assert.True(Enum.IsDefined(state.Role) && Enum.IsDefined(state.Tunnel), $"undefined role {state.Role} or tunnel {state.Tunnel}");
        });
    }
}
