namespace Router.Daemon.Rpcd;

/// <summary>
/// Where `genkey` from LuCI may write: a new file directly in the key directory (/etc/routerha), nowhere else, so
/// a web session cannot create files in other places. The file is created exclusively (O_EXCL: never over a file,
/// nor through a symlink planted there) with mode 0600.
/// </summary>
internal static class RpcdKeyFile
{
    public const string DefaultName = "peer.key";

    /// <summary>The full path for the requested file (null: the default), or null and the reason.</summary>
    public static string? Resolve(string? requested, string keyDirectory, out string? error)
    {
        error = null;
        var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(keyDirectory));
        if (requested is null) return Path.Combine(dir, DefaultName);
        var shown = Router.Core.Text.SafeText.Clean(requested, 100);
        if (requested.Length == 0 || !Router.Core.Text.SafeText.IsClean(requested) || requested.Length > 255)
        {
            error = $"genkey: '{shown}' is not a usable file name";
            return null;
        }
        var full = Path.GetFullPath(requested, dir);
        if (Path.GetDirectoryName(full) != dir || Path.GetFileName(full) is "" or "." or "..")
        {
            error = $"genkey: '{shown}' is not in {dir}/: key files are written only there";
            return null;
        }
        return full;
    }

    /// <summary>Writes a new key; null when done, else why not (the file exists, the directory cannot be made).</summary>
    public static string? Write(string file)
    {
        try
        {
            var dir = Path.GetDirectoryName(file)!;
            if (!Directory.Exists(dir))
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Router.Peers.PeerSecret.WriteNewKeyFile(file);
            return null;
        }
        catch (IOException) when (File.Exists(file) || Directory.Exists(file) || IsLink(file))
        {
            return $"genkey: {file} exists: not overwritten (remove it first to replace the key on both routers)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"genkey: cannot write {file}: {e.Message}";
        }
    }

    private static bool IsLink(string path)
    {
        try { return new FileInfo(path).LinkTarget is not null; }
        catch (IOException) { return false; }
    }
}
