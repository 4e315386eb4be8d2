namespace Router.Core.Fencing;

/// <summary>What a router says about its own VRRP role. Only MASTER may run the tunnel.</summary>
public enum FenceRole : byte
{
    Backup = 0,
    Master = 1,
    Fault = 2,
}

/// <summary>Where a router's tunnel client is. Released means stopped and staying stopped until the gate opens again.</summary>
public enum TunnelStatus : byte
{
    Released = 0,
    Starting = 1,
    Up = 2,
    Stopping = 3,
}

/// <summary>Peer-channel message types owned by fencing (the channel reserves types below 0x0100).</summary>
public static class FenceMessageTypes
{
    /// <summary>A <see cref="FenceState"/>: sent on every change, periodically, and in reply to a state that has not seen ours.</summary>
    public const ushort State = 0x0101;
}
