namespace Router.LabKit.Vm;

/// <summary>
/// A NIC of a VM: its MAC and the multicast-socket segment (UDP port on 230.0.0.1, loopback only) it is plugged
/// into, or, with <see cref="HostService"/>, QEMU's user-mode network that reaches one service on the host.
/// </summary>
public sealed record VmNic(string Mac, int Port, VmHostService? HostService = null);

/// <summary>
/// A TCP service on the host's loopback (e.g. a test broker) that the guest reaches at GuestAddress:GuestPort:
/// QEMU's user-mode network with restrict=on (the guest reaches nothing else) and one forward, which runs
/// `busybox nc 127.0.0.1 HostPort` for each connection the guest opens.
/// </summary>
public sealed record VmHostService(string GuestAddress, int GuestPort, int HostPort);

/// <summary>
/// What one VM boots with: the image of its architecture plus its own files (e.g. /etc/vm.conf,
/// /etc/config/routerha), appended to the image's initramfs as a second cpio archive, whose files win.
/// </summary>
public sealed record VmSpec(string Name, VmArch Arch, IReadOnlyList<VmNic> Nics, IReadOnlyDictionary<string, string> Files, int MemoryMb = 256);
