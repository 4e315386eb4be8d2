
namespace Router.LabKit.Vm;

/// <summary>One image architecture: where `make image` put its kernel and initramfs, and how QEMU boots it.</summary>
public sealed record VmArch(string Name, string Qemu, string[] Machine, string Console, string Release)
{
    // KVM does not work on these machines (no vmx/svm): software emulation, explicitly.
    public static readonly VmArch X86_64 = new("x86_64", "qemu-system-x86_64", ["-M", "pc", "-accel", "tcg"], "ttyS0", "x86_64-openwrt");
    public static readonly VmArch Aarch64 = new("aarch64", "qemu-system-aarch64", ["-M", "virt", "-cpu", "cortex-a53", "-accel", "tcg"], "ttyAMA0", "aarch64-openwrt");

    public static VmArch Named(string name) => name switch
    {
        "x86_64" => X86_64,
        "aarch64" => Aarch64,
        _ => throw new ArgumentException($"no VM architecture '{name}'", nameof(name)),
    };

    public string Dir => Path.Combine(RouterHaBinary.RepoRoot, "build", "image", Name);
    public string Kernel => Path.Combine(Dir, "kernel");
    public string Rootfs => Path.Combine(Dir, "rootfs.cpio.gz");
    public string Manifest => Path.Combine(Dir, "manifest.txt");

    /// <summary>The routerha release binary this architecture's image carries.</summary>
    public string RouterHaRelease => Path.Combine(RouterHaBinary.RepoRoot, "build", "release", Release, "routerha");

    public void RequireImage()
    {
        foreach (var f in (string[])[Kernel, Rootfs])
            if (!File.Exists(f))
                throw new FileNotFoundException($"{f} missing: build the image first (`make image`)", f);
    }
}
