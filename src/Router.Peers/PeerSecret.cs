using System.Text;

namespace Router.Peers;

/// <summary>The shared secret of a router pair. Never printed: ToString is a placeholder, so a logged options object leaks nothing.</summary>
public sealed class PeerSecret
{
    public const int MinimumBytes = 16;

    private readonly byte[] _key;

    public PeerSecret(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumBytes)
            throw new ArgumentException($"the peer secret must be at least {MinimumBytes} bytes", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>The secret as written in the config (UTF-8 bytes, surrounding whitespace removed).</summary>
    public static PeerSecret FromText(string text) => new(Encoding.UTF8.GetBytes(text.Trim()));

    /// <summary>The content of a secret file; a trailing newline (as editors write it) is not part of the secret.</summary>
    public static PeerSecret FromFile(string path) => FromText(File.ReadAllText(path));

    internal ReadOnlySpan<byte> Key => _key;

    public override string ToString() => "(secret)";
}
