namespace Router.Daemon.Leases;

/// <summary>
/// Writes dnsmasq's lease file (OpenWrt: /tmp/dhcp.leases) whole or not at all: a temporary file in the same
/// directory, flushed to disk, then renamed over the old one. dnsmasq starting at any moment reads either the
/// previous file or the complete new one, never half of it.
/// </summary>
internal static class LeaseFileWriter
{
    public static void Write(string path, string content)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.routerha-{Environment.ProcessId}.tmp");
        try
        {
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
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
