using Router.Core.Config;
using Router.Peers;

namespace Router.Daemon;

/// <summary>
/// The config names the secret file; whether that file can be read, is private and holds a key is known only here,
/// on the router. check-config and run both ask, so a weak or exposed key stops the start instead of leaving the pair
/// without its channel (and the fence waiting out every window).
/// </summary>
internal static class PeerSecretCheck
{
    public static string? Problem(RouterConfig config)
    {
        foreach (var peer in config.Peers)
        {
            try
            {
                _ = peer.SecretFile is { } file ? PeerSecret.FromFile(file) : PeerSecret.FromText(peer.Secret ?? "");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return $"peer '{peer.Name}': {e.Message}";
            }
        }
        return null;
    }
}
