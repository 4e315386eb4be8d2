namespace Router.Peers;

/// <summary>What the daemon uses of the peer channel (the seam its tests replace with an in-memory pair).</summary>
public interface IPeerChannel : IAsyncDisposable
{
    void Start();

    /// <summary>Sends on the first path (in configured order) that is up.</summary>
    PeerSendResult Send(ushort type, ReadOnlySpan<byte> payload);

    /// <summary>Sends on this path only.</summary>
    PeerSendResult Send(string path, ushort type, ReadOnlySpan<byte> payload);

    IReadOnlyList<PeerPathStatus> Status();
}
