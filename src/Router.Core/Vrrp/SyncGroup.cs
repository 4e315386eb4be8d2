namespace Router.Core.Vrrp;

/// <summary>
/// keepalived vrrp_sync_group semantics: when one member goes MASTER, BACKUP or FAULT, the others follow.
/// A member in FAULT holds the whole group in FAULT until it recovers.
/// </summary>
public static class SyncGroup
{
    /// <summary>Given a member's StateChanged, the (member, target state) pairs to force; pure.</summary>
    public static IReadOnlyList<(VrrpInstance Member, VrrpState Target)> Follow(
        IReadOnlyList<VrrpInstance> members, VrrpInstance changed, StateChanged change)
        => throw new NotImplementedException();
}
