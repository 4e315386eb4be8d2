using System.Formats.Tar;
using System.IO.Compression;

namespace Router.LabKit;

/// <summary>
/// A root filesystem with no glibc in it: Debian's busybox-static (its applets as /bin links) and musl's
/// loader /lib/ld-musl-x86_64.so.1, which is also musl's libc.so, the way OpenWrt's x86_64 root has it.
/// Packages are installed by unpacking an ipk's data.tar.gz, as opkg does. Removed on Dispose.
/// </summary>
public sealed class MuslRoot : IDisposable
{
    public const string MuslLoader = "/lib/ld-musl-x86_64.so.1";
    public string Dir { get; }

    private MuslRoot(string dir) => Dir = dir;

    public static MuslRoot Create()
    {
        var root = new MuslRoot(Directory.CreateTempSubdirectory("rha-muslroot-").FullName);
        try
        {
            foreach (var d in (string[])["bin", "lib", "tmp", "var/run", "etc/config", "usr/sbin", "usr/libexec"])
                Directory.CreateDirectory(root.PathOf("/" + d));
            Shell.Check("cp", "/bin/busybox", root.PathOf("/bin/busybox"));
            Shell.Check("cp", "-L", MuslLoader, root.PathOf(MuslLoader));
            root.Check("/bin/busybox", "--install", "-s", "/bin");
            return root;
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>Host path of a path inside the root.</summary>
    public string PathOf(string inside) => Path.Combine(Dir, inside.TrimStart('/'));

    /// <summary>Unpacks the package's data.tar.gz into the root (opkg install without the scripts).</summary>
    public void InstallIpk(string ipk)
    {
        using var outer = new TarReader(new GZipStream(File.OpenRead(ipk), CompressionMode.Decompress));
        while (outer.GetNextEntry() is { } e)
        {
            if (e.Name != "./data.tar.gz") continue;
            using var data = new GZipStream(e.DataStream!, CompressionMode.Decompress);
            TarFile.ExtractToDirectory(data, Dir, overwriteFiles: true);
            return;
        }
        throw new InvalidDataException($"{ipk}: no ./data.tar.gz");
    }

    /// <summary>Copies shared libraries (musl builds) into /usr/lib, where OpenWrt's packages put theirs and musl's loader looks.</summary>
    public void InstallLibraries(string fromDir, params string[] names)
    {
        Directory.CreateDirectory(PathOf("/usr/lib"));
        foreach (var n in names) Shell.Check("cp", Path.Combine(fromDir, n), PathOf("/usr/lib/" + n));
    }

    public void WriteFile(string inside, string text, string mode = "0644")
    {
        ExecutableFile.Write(PathOf(inside), text, mode);
    }

    /// <summary>Every file of the root that belongs to glibc (its loader or libc.so.6); empty for a musl-only root.</summary>
    public IReadOnlyList<string> GlibcFiles() =>
        Directory.EnumerateFiles(Dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is var n && (n.StartsWith("ld-linux", StringComparison.Ordinal) || n.StartsWith("libc.so.6", StringComparison.Ordinal)))
            .ToList();

    /// <summary>
    /// Runs a program inside the root (chroot) from the host's network namespace. With proc, a procfs is mounted at
    /// the root's /proc in a mount namespace of the command's own, which goes away with it.
    /// </summary>
    public CommandResult Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, bool proc = false)
    {
        IEnumerable<string> argv = ["-i", .. (env ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}"),
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "chroot", Dir, file, .. args];
        if (!proc) return Shell.Run("env", argv, TimeSpan.FromSeconds(20));
        Directory.CreateDirectory(PathOf("/proc"));
        return Shell.Run("unshare", ["--mount", "--propagation", "private", $"--mount-proc={PathOf("/proc")}", "env", .. argv], TimeSpan.FromSeconds(20));
    }

    public CommandResult Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);

    public string Check(string file, params string[] args)
    {
        var r = Run(file, args);
        if (!r.Ok) throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` in {Dir} failed ({r.ExitCode}): {r.StdErr.Trim()}");
        return r.StdOut;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
