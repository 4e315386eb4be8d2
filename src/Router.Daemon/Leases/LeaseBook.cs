using Router.Core.Leases;
using Router.Store;

namespace Router.Daemon.Leases;

/// <summary>
/// The lease store with this router's HLC and node name: what the daemon holds open, and what a
/// dhcp-script opens itself when the daemon is down. Both answer a dhcp-script call the same way.
/// </summary>
internal sealed class LeaseBook : IDisposable
{
    /// <summary>Ended leases and tombstones are kept this long past their expiry (covers clock skew between routers).</summary>
    public static readonly TimeSpan PruneGrace = TimeSpan.FromHours(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly LeaseStore _store;
    private readonly HybridClock _clock;
    private readonly Action<string> _log;
    private DateTimeOffset _lastPrune;

    private LeaseBook(LeaseStore store, string node, Action<string> log)
    {
        _store = store;
        Node = node;
        _log = log;
        // Continue above every stored stamp, even when this router's clock restarted in the past (no RTC).
        _clock = new HybridClock(store.MaxStamp());
    }

    public string Node { get; }

    public string Path => _store.Path;

    public static LeaseBook Open(string dbPath, string node, Action<string> log, DateTimeOffset now)
    {
        var book = new LeaseBook(LeaseStore.Open(dbPath, log, now), node, log);
        book.PruneIfDue(now);
        return book;
    }

    /// <summary>ok + text for dnsmasq's stdout (init), or the reason it failed.</summary>
    public (bool Ok, string? Output, string? Error) Handle(DhcpScriptCall call, DateTimeOffset now)
    {
        switch (call)
        {
            case DhcpScriptInit:
                return (true, DnsmasqLeaseFile.Render(_store.List(), now.ToUnixTimeSeconds()), null);
            case DhcpLeaseEvent e:
                _store.RecordLocal(e, _clock, Node, now);
                PruneIfDue(now);
                return (true, null, null);
            case DhcpScriptIgnored:
                return (true, null, null);
            case DhcpScriptMalformed m:
                return (false, null, m.Error);
            default:
                return (false, null, $"unhandled dhcp-script call {call.GetType().Name}");
        }
    }

    public IReadOnlyList<LeaseRecord> List(bool includeDeleted) => _store.List(includeDeleted);

    /// <summary>Leases that have not ended at now (for status and MQTT).</summary>
    public int ActiveCount(DateTimeOffset now) => _store.CountActive(now);

    /// <summary>The merged set in dnsmasq's lease-file format: what "init" prints and what a lease file holds.</summary>
    public string RenderLeaseFile(DateTimeOffset now) => DnsmasqLeaseFile.Render(_store.List(), now.ToUnixTimeSeconds());

    /// <summary>Replication with one peer on this store and clock (the daemon's loop owns it).</summary>
    public LeaseReplicator CreateReplicator(Func<ushort, byte[], bool> send, Action<string> info, Action<string> warn) =>
        new(_store, _clock, send, info, warn);

    private void PruneIfDue(DateTimeOffset now)
    {
        if (now - _lastPrune < PruneEvery) return;
        _lastPrune = now;
        var pruned = _store.Prune(now, PruneGrace);
        if (pruned > 0) _log($"lease store: pruned {pruned} ended lease(s) and tombstone(s)");
    }

    public void Dispose() => _store.Dispose();
}
