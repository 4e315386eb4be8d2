namespace Router.Vm.Tests;

/// <summary>
/// A [Fact] that needs routerha in the aarch64 image. Decided when the tests are discovered, from the
/// image's manifest: skipped with the reason while no arm64 routerha can be built, running by itself the
/// day `make release TARGET=aarch64-openwrt` builds one and `make image` puts it in.
/// </summary>
public sealed class Arm64RouterHaFactAttribute : FactAttribute
{
    public Arm64RouterHaFactAttribute()
    {
        if (!VmArch.Aarch64.ImageHasRouterHa)
            Skip = "the aarch64 image has no routerha: NuGet has no NativeAOT packs for linux-musl-arm64, so " +
                   "`make release TARGET=aarch64-openwrt` cannot build one (toolchain/README.md); the arm64 boot rig itself is tested";
    }
}
