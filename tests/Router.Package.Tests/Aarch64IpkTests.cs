using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>
/// The aarch64 ipks of `make ipk TARGET=aarch64-openwrt` (made by `make image`, which boots the cortex-a53 one in
/// the arm64 VM): one per OpenWrt package architecture, since opkg installs only a package whose Architecture is
/// one of the router's own. The same binary in each, laid out and depending exactly as the x86_64 package.
/// </summary>
public sealed class Aarch64IpkTests
{
    private static string Require(string arch) => PackageArtifacts.FindIpk(arch)
        ?? throw new FileNotFoundException($"no routerha_*_{arch}.ipk in build/ipk: run `make ipk TARGET=aarch64-openwrt`");

    [Fact]
    public void EachArm64PackageArchitectureHasItsIpkWithTheSameVersionAndBinary()
    {
        var x86 = Ipk.Read(PackageArtifacts.RequireIpk());
        var version = x86.Fields()["Version"];
        var binaries = new HashSet<string>();
        foreach (var arch in PackageArtifacts.Aarch64PackageArchs)
        {
            var path = Require(arch);
            var ipk = Ipk.Read(path);
            var f = ipk.Fields();
            Assert.Equal(arch, f["Architecture"]);
            Assert.Equal(version, f["Version"]);
            Assert.Equal($"routerha_{version}_{arch}.ipk", Path.GetFileName(path));
            Assert.Equal(x86.Fields()["Depends"], f["Depends"]);
            Assert.Equal(x86.Data.Select(e => (e.Name, e.Octal)), ipk.Data.Select(e => (e.Name, e.Octal)));
            Assert.Equal(x86.ControlFile("conffiles").Text, ipk.ControlFile("conffiles").Text);
            binaries.Add(Convert.ToHexString(SHA256.HashData(ipk.DataFile("/usr/sbin/routerha")!.Content)));
        }
        Assert.Single(binaries);
        var release = PackageArtifacts.ReleaseBinary("aarch64-openwrt") ?? throw new FileNotFoundException("no aarch64-openwrt binary");
        Assert.Equal(binaries.Single(), Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(release))));
    }

    [Fact]
    public void TheBinaryIsAnAarch64ElfForMuslsLoader()
    {
        var elf = Ipk.Read(Require("aarch64_cortex-a53")).DataFile("/usr/sbin/routerha")!.Content;
        Assert.Equal("\u007fELF"u8.ToArray(), elf[..4]);
        Assert.Equal(2, elf[4]); // ELFCLASS64
        const ushort EmAarch64 = 183;
        Assert.Equal(EmAarch64, BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(18)));
        Assert.Equal("/lib/ld-musl-aarch64.so.1", Interpreter(elf));
    }

    /// <summary>The PT_INTERP segment's path (64-bit little-endian ELF).</summary>
    private static string Interpreter(byte[] elf)
    {
        var phoff = BinaryPrimitives.ReadInt64LittleEndian(elf.AsSpan(0x20));
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x36)), phnum = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x38));
        for (var i = 0; i < phnum; i++)
        {
            var ph = elf.AsSpan((int)phoff + i * phentsize);
            const uint PtInterp = 3;
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != PtInterp) continue;
            var offset = (int)BinaryPrimitives.ReadInt64LittleEndian(ph[8..]);
            var size = (int)BinaryPrimitives.ReadInt64LittleEndian(ph[32..]);
            return Encoding.ASCII.GetString(elf, offset, size).TrimEnd('\0');
        }
        throw new InvalidDataException("no PT_INTERP: not a dynamic executable");
    }
}
