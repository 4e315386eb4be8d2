namespace Router.LabKit;

/// <summary>
/// What `make release` and `make ipk` produce (build/release/TARGET/routerha, build/ipk/routerha_*_ARCH.ipk);
/// $ROUTERHA_IPK overrides the package. Missing artifacts fail with the command that builds them.
/// </summary>
public static class PackageArtifacts
{
    public static readonly string[] Targets = ["x86_64-glibc", "x86_64-openwrt", "aarch64-glibc", "aarch64-openwrt", "armv7-openwrt"];

    /// <summary>The OpenWrt package architectures `make ipk TARGET=aarch64-openwrt` writes an ipk for (one binary).</summary>
    public static readonly string[] Aarch64PackageArchs = ["aarch64_generic", "aarch64_cortex-a53", "aarch64_cortex-a72", "aarch64_cortex-a76"];

    public static string ReleaseDir => Path.Combine(RouterHaBinary.RepoRoot, "build", "release");

    public static string? ReleaseBinary(string target)
    {
        var path = Path.Combine(ReleaseDir, target, "routerha");
        return File.Exists(path) ? path : null;
    }

    /// <summary>The x86_64-openwrt (musl) router binary.</summary>
    public static string RequireMuslBinary() =>
        ReleaseBinary("x86_64-openwrt") ?? throw new FileNotFoundException(
            "no x86_64-openwrt binary: run `make release TARGET=x86_64-openwrt` (or `make ipk`)");

    public static string? FindIpk()
    {
        if (Environment.GetEnvironmentVariable("ROUTERHA_IPK") is { Length: > 0 } env) return Path.GetFullPath(env);
        return FindIpk("x86_64");
    }

    /// <summary>The newest build/ipk/routerha_*_ARCH.ipk, or null.</summary>
    public static string? FindIpk(string packageArch)
    {
        var dir = Path.Combine(RouterHaBinary.RepoRoot, "build", "ipk");
        if (!Directory.Exists(dir)) return null;
        return Directory.GetFiles(dir, $"routerha_*_{packageArch}.ipk").Select(f => new FileInfo(f))
            .OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()?.FullName;
    }

    public static string RequireIpk() =>
        FindIpk() ?? throw new FileNotFoundException("no routerha_*_x86_64.ipk in build/ipk: run `make ipk TARGET=x86_64-openwrt`");

    /// <summary>
    /// musl builds of libsqlite3.so.0, libcrypto.so.3 and libssl.so.3 (toolchain/musl-libs.sh, `make musl-libs`):
    /// what OpenWrt's libsqlite3 and libopenssl3 packages provide. $ROUTERHA_MUSL_LIBS overrides the directory.
    /// </summary>
    public static string RequireMuslLibs()
    {
        var dir = Environment.GetEnvironmentVariable("ROUTERHA_MUSL_LIBS") is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.Combine(RouterHaBinary.RepoRoot, "build", "musl-libs", "current");
        return File.Exists(Path.Combine(dir, "libssl.so.3")) && File.Exists(Path.Combine(dir, "libsqlite3.so.0"))
            ? dir
            : throw new FileNotFoundException($"no musl libsqlite3/libssl in {dir}: run `make musl-libs`");
    }
}
