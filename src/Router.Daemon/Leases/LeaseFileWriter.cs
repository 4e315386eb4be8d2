using System.Security.Cryptography;

namespace Router.Daemon.Leases;

/// <summary>
/// Writes dnsmasq's lease file (OpenWrt: /tmp/dhcp.leases) whole or not at all: a temporary file in the same
/// directory, flushed to disk, then renamed over the old one. dnsmasq starting at any moment reads either the
/// previous file or the complete new one, never half of it. The temporary name is random and created exclusively
/// (O_CREAT|O_EXCL, which also refuses a symlink in its place): /tmp is writable by every local user, and a name
/// known in advance would let one plant a link that routerha, as root, writes through.
/// </summary>
internal static class LeaseFileWriter
{
    public static void Write(string path, string content)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.routerha-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        // Throws when the name exists (then it is not ours to delete). rename() below replaces a link at path, never follows it.
        var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        try
        {
            using (f)
            {
                f.Write(System.Text.Encoding.UTF8.GetBytes(content));
                f.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }
}
