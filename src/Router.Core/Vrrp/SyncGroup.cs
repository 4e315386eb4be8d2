namespace Router.Core.Vrrp;

/// <summary>
/// keepalived vrrp_sync_group semantics: when one member goes MASTER, BACKUP or FAULT, the others follow.
/// A member in FAULT holds the whole group in FAULT until it recovers.
/// </summary>
/// <remarks>
/// Rules, given the member that changed:
/// - to FAULT: every running member in BACKUP or MASTER goes FAULT.
/// - to BACKUP or MASTER while another member has its own fault (VrrpInstance.IsFaulted): the changed member
///   is sent back to FAULT (the group stays in FAULT until no member has a fault of its own).
/// - to MASTER: every other running member not MASTER goes MASTER (also those held in a forced FAULT).
/// - to BACKUP from MASTER or FAULT: every other member in MASTER or FAULT goes BACKUP.
/// - to BACKUP from Initialize (a member starting) and to Initialize: nobody is forced; a starting member is
///   not a group decision.
/// Members in Initialize are never forced, nor members already in the target. Feeding the StateChanged of the
/// forced members back into Follow converges (it yields nothing new).
/// </remarks>
public static class SyncGroup
{
    /// <summary>Given a member's StateChanged, the (member, target state) pairs to force; pure.</summary>
    public static IReadOnlyList<(VrrpInstance Member, VrrpState Target)> Follow(
        IReadOnlyList<VrrpInstance> members, VrrpInstance changed, StateChanged change)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(change);
        var forced = new List<(VrrpInstance, VrrpState)>();
        var others = members.Where(m => !ReferenceEquals(m, changed) && m.State != VrrpState.Initialize).ToList();
        switch (change.To)
        {
            case VrrpState.Fault:
                Force(others, VrrpState.Fault, s => s is VrrpState.Backup or VrrpState.Master, forced);
                break;
            case VrrpState.Backup or VrrpState.Master when others.Any(m => m.IsFaulted && m.State == VrrpState.Fault):
                if (changed.State != VrrpState.Fault)
                    forced.Add((changed, VrrpState.Fault));
                break;
            case VrrpState.Master:
                Force(others, VrrpState.Master, s => s is VrrpState.Backup or VrrpState.Fault, forced);
                break;
            case VrrpState.Backup when change.From is VrrpState.Master or VrrpState.Fault:
                Force(others, VrrpState.Backup, s => s is VrrpState.Master or VrrpState.Fault, forced);
                break;
        }
        return forced;
    }

    private static void Force(List<VrrpInstance> others, VrrpState target, Func<VrrpState, bool> applies,
        List<(VrrpInstance, VrrpState)> forced)
    {
        foreach (var m in others)
            if (applies(m.State))
                forced.Add((m, target));
    }
}
