using System.Security.Cryptography;
using System.Text;
using Router.Core.Config;

namespace Router.Peers;

/// <summary>The shared secret of a router pair. Never printed: ToString is a placeholder, so a logged options object leaks nothing.</summary>
public sealed class PeerSecret
{
    public const int MinimumBytes = PeerSecretRule.MinimumLength;
    /// <summary>Random bytes in a key made by <see cref="Generate"/>.</summary>
    public const int GeneratedBytes = 32;

    /// <summary>Group write or any access by others: on OpenWrt every daemon runs as root, so a key anyone else can
    /// read was already shared with every unprivileged process and login.</summary>
    private const UnixFileMode TooOpen = UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly byte[] _key;

    public PeerSecret(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumBytes)
            throw new ArgumentException($"the peer secret must be at least {MinimumBytes} bytes", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>The secret as written in the config (UTF-8 bytes, surrounding whitespace removed); refused (ArgumentException)
    /// when it does not look like a key (<see cref="PeerSecretRule"/>).</summary>
    public static PeerSecret FromText(string text)
    {
        if (PeerSecretRule.Problem(text) is { } weak) throw new ArgumentException(weak);
        return new(Encoding.UTF8.GetBytes(text.Trim()));
    }

    /// <summary>The content of a secret file; a trailing newline (as editors write it) is not part of the secret. A file
    /// others may read or anyone but its owner may write is refused (UnauthorizedAccessException), like ssh does.</summary>
    public static PeerSecret FromFile(string path)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & TooOpen) != 0)
            throw new UnauthorizedAccessException(
                $"secret_file {path} is open to others (mode {Convert.ToString((int)mode, 8)}): chmod 600 {path}");
        try
        {
            return FromText(File.ReadAllText(path));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"secret_file {path}: {e.Message}", e);
        }
    }

    /// <summary>A fresh key: <see cref="GeneratedBytes"/> random bytes in base64 (44 characters, accepted by the rule).</summary>
    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedBytes));

    /// <summary>Writes a fresh key to a new file, mode 0600; an existing file (or a symlink) is never overwritten (O_EXCL).</summary>
    public static void WriteNewKeyFile(string path)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.Write(Encoding.ASCII.GetBytes(Generate() + "\n"));
    }

    internal ReadOnlySpan<byte> Key => _key;

    public override string ToString() => "(secret)";
}
