namespace Router.Vm.Tests;

/// <summary>A NIC of a VM: its MAC and the multicast-socket segment (UDP port on 230.0.0.1, loopback only) it is plugged into.</summary>
public sealed record VmNic(string Mac, int Port);

/// <summary>
/// What one VM boots with: the image of its architecture plus its own files (e.g. /etc/vm.conf,
/// /etc/config/routerha), appended to the image's initramfs as a second cpio archive, whose files win.
/// </summary>
public sealed record VmSpec(string Name, VmArch Arch, IReadOnlyList<VmNic> Nics, IReadOnlyDictionary<string, string> Files, int MemoryMb = 256);
