namespace Router.Core.Config;

/// <summary>
/// Whether a peer secret looks like a key rather than a password. The handshake never sends HMAC material to
/// anyone who has not proved the secret first, but a passive listener on the path (or a stolen capture) still sees
/// proofs, and a text a person chose can be guessed offline from one. The rule is a lint, not an entropy measure:
/// after trimming, either at least 64 hexadecimal digits using at least 10 different ones (32 random bytes in hex),
/// or at least 32 characters of which at least 16 differ (32 random bytes in base64 is 44 characters and uses about
/// 30). `routerha genkey` always satisfies it.
/// </summary>
public static class PeerSecretRule
{
    public const int MinimumLength = 32;
    public const int MinimumDistinct = 16;
    public const int MinimumHexDigits = 64;
    public const int MinimumDistinctHexDigits = 10;

    private const string Advice = "use a random key: routerha genkey /etc/routerha/peer.key (a new root-only file) and option secret_file, or paste the output of routerha genkey";

    /// <summary>Why the secret is refused (never quoting it: the message reaches logs), or null when accepted.</summary>
    public static string? Problem(string secret)
    {
        var s = secret.Trim();
        if (s.Length >= MinimumHexDigits && s.All(char.IsAsciiHexDigit))
        {
            var digits = s.ToLowerInvariant().ToHashSet().Count;
            return digits >= MinimumDistinctHexDigits
                ? null
                : $"the secret is {s.Length} hex digits but only {digits} different ones: it does not look random; {Advice}";
        }
        if (s.Length < MinimumLength)
            return $"the secret is {s.Length} characters, at least {MinimumLength} are required; {Advice}";
        var distinct = s.ToHashSet().Count;
        return distinct >= MinimumDistinct
            ? null
            : $"the secret has only {distinct} different characters (at least {MinimumDistinct}): it does not look random; {Advice}";
    }
}
