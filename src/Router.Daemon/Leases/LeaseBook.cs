using Microsoft.Data.Sqlite;
using Router.Core.Leases;
using Router.Store;

namespace Router.Daemon.Leases;

/// <summary>
/// The lease store with this router's HLC and node name: what the daemon holds open, and what a
/// dhcp-script opens itself when the daemon is down. Both answer a dhcp-script call the same way.
/// dnsmasq's events are taken into memory first (<see cref="Pending"/>), which is the truth every reader sees,
/// and written to the file together by <see cref="Flush"/>: one commit (one fsync) per batch instead of one per
/// event, and a write that fails (full or read-only overlay, a lock held by another process) loses nothing:
/// it is said once and tried again.
/// </summary>
internal sealed class LeaseBook : IDisposable
{
    /// <summary>Ended leases and tombstones are kept this long past their end (covers clock skew between routers).</summary>
    public static readonly TimeSpan PruneGrace = TimeSpan.FromHours(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly LeaseStore _store;
    private readonly HybridClock _clock;
    private readonly Action<string> _log;
    private readonly Dictionary<LeaseKey, LeaseRecord> _pending = [];
    /// <summary>The daemon retries what it could not write; a dhcp-script process exits and loses it.</summary>
    private readonly bool _retries;
    private DateTimeOffset _lastPrune;

    private LeaseBook(LeaseStore store, string node, Action<string> log, bool retries)
    {
        _store = store;
        Node = node;
        _log = log;
        _retries = retries;
        // Continue above every stored stamp, even when this router's clock restarted in the past (no RTC).
        _clock = new HybridClock(store.MaxStamp());
    }

    public string Node { get; }

    public string Path => _store.Path;

    /// <summary>Changes taken from dnsmasq and not yet in the file.</summary>
    public int Pending => _pending.Count;

    /// <summary>Why the latest write failed; null once a write succeeds again.</summary>
    public string? WriteError { get; private set; }

    public long WriteFailures { get; private set; }

    public int BadRows => _store.BadRows;

    public long DroppedRows => _store.DroppedRows;

    public long OverMaxRows => _store.OverMaxRows;

    public int MaxRows => _store.Limits.MaxRows;

    /// <param name="loopBusyMs">for the daemon's loop: how long a write may wait for another process's lock</param>
    public static LeaseBook Open(string dbPath, string node, Action<string> log, DateTimeOffset now,
        LeaseLimits? limits = null, int? loopBusyMs = null)
    {
        var store = loopBusyMs is null ? LeaseStore.Open(dbPath, log, now) : LeaseStore.OpenOrReadOnly(dbPath, log, now);
        if (limits is not null) store.Limits = limits;
        if (loopBusyMs is { } ms) store.BoundWaits(ms);
        var book = new LeaseBook(store, node, log, retries: loopBusyMs is not null);
        book.TryPrune(now);
        return book;
    }

    /// <summary>ok + text for dnsmasq's stdout (init), or the reason it failed. Events go to <see cref="Pending"/>.</summary>
    public (bool Ok, string? Output, string? Error) Handle(DhcpScriptCall call, DateTimeOffset now)
    {
        switch (call)
        {
            case DhcpScriptInit:
                return (true, RenderLeaseFile(now), null);
            case DhcpLeaseEvent e:
                Record(e, now);
                return (true, null, null);
            case DhcpScriptIgnored:
                return (true, null, null);
            case DhcpScriptMalformed m:
                return (false, null, m.Error);
            default:
                return (false, null, $"unhandled dhcp-script call {call.GetType().Name}");
        }
    }

    /// <summary>
    /// The event is the newest fact about this lease, so its stamp is taken after observing the known one: it wins
    /// even over a row another process (a dhcp-script while the daemon was down) stored with a stamp ahead of this clock.
    /// </summary>
    private void Record(DhcpLeaseEvent e, DateTimeOffset now)
    {
        var current = Current(e.Key);
        // Hotplug handlers run unordered: an event older than the stored row (by dnsmasq's stamp) changes nothing.
        if (LeaseEventOrder.IsStale(e, current)) return;
        if (current is not null) _clock.Observe(current.Stamp);
        var row = e.ToRecord(_clock.Next(now), Node);
        // "old" without a hostname (dnsmasq's first call when a client takes over a preset lease) keeps the known one.
        if (row.Hostname is null && e.Action != LeaseAction.Del && current is { Deleted: false }) row = row with { Hostname = current.Hostname };
        _pending[e.Key] = row;
        TrimPending();
    }

    private LeaseRecord? Current(LeaseKey key)
    {
        if (_pending.TryGetValue(key, out var p)) return p;
        try { return _store.Get(key); }
        catch (Exception ex) when (ex is SqliteException or LeaseStoreException) { return null; }
    }

    /// <summary>While writes fail, memory holds at most what the file would (the store's row limit): tombstones go first.</summary>
    private void TrimPending()
    {
        while (_pending.Count > _store.Limits.MaxRows)
        {
            var victim = _pending.Values.Where(r => r.Deleted).DefaultIfEmpty().MinBy(r => r?.Stamp)
                         ?? _pending.Values.MinBy(r => r.Stamp)!;
            _pending.Remove(victim.Key);
        }
    }

    /// <summary>
    /// Writes every pending change in one transaction (the merge rule decides against rows another process wrote
    /// meanwhile). True when the file holds them all (or there was nothing); false: kept, said once, retry later.
    /// </summary>
    public bool Flush(DateTimeOffset now)
    {
        if (!WritePending()) return false;
        TryPrune(now);
        return true;
    }

    private bool WritePending()
    {
        if (_pending.Count == 0) return true;
        try
        {
            _store.ApplyPage([.. _pending.Values], null, null);
        }
        catch (Exception e) when (e is SqliteException or LeaseStoreException or IOException or UnauthorizedAccessException)
        {
            WriteFailures++;
            if (WriteError is null)
                _log($"lease store {Path}: cannot write ({e.Message}); {_pending.Count} change(s) " +
                    (_retries ? "kept in memory and served, retrying" : "not stored"));
            WriteError = e.Message;
            return false;
        }
        if (WriteError is not null) _log($"lease store {Path}: writing again, {_pending.Count} kept change(s) written");
        WriteError = null;
        _pending.Clear();
        return true;
    }

    /// <summary>Rows of the file with the pending changes over them (the merge rule picks), in address order.</summary>
    public IReadOnlyList<LeaseRecord> List(bool includeDeleted)
    {
        if (_pending.Count == 0) return _store.List(includeDeleted);
        var rows = _store.List(includeDeleted: true).ToDictionary(r => r.Key);
        foreach (var p in _pending.Values) rows[p.Key] = LeaseMerge.Pick(p, rows.GetValueOrDefault(p.Key));
        var list = rows.Values.Where(r => includeDeleted || !r.Deleted).ToList();
        list.Sort((a, b) => a.Key.Address.GetAddressBytes().AsSpan().SequenceCompareTo(b.Key.Address.GetAddressBytes()) is var c and not 0
            ? c : string.CompareOrdinal(a.Key.Mac, b.Key.Mac));
        return list;
    }

    /// <summary>Leases that have not ended at now (for status and MQTT).</summary>
    public int ActiveCount(DateTimeOffset now) => _pending.Count == 0
        ? _store.CountActive(now)
        : List(includeDeleted: false).Count(r => r.IsActiveAt(now.ToUnixTimeSeconds()));

    /// <summary>The merged set in dnsmasq's lease-file format: what "init" prints and what a lease file holds.</summary>
    public string RenderLeaseFile(DateTimeOffset now) => DnsmasqLeaseFile.Render(List(includeDeleted: false), now.ToUnixTimeSeconds());

    /// <summary>Replication with one peer on this store and clock (the daemon's loop owns it).</summary>
    public LeaseReplicator CreateReplicator(Func<ushort, byte[], bool> send, Action<string> info, Action<string> warn) =>
        new(_store, _clock, send, info, warn);

    /// <summary>Pruning is housekeeping: a file that cannot be written now is pruned on a later write.</summary>
    private void TryPrune(DateTimeOffset now)
    {
        if (now - _lastPrune < PruneEvery) return;
        try
        {
            var pruned = _store.Prune(now, PruneGrace);
            _lastPrune = now;
            if (pruned > 0) _log($"lease store: pruned {pruned} ended lease(s) and tombstone(s)");
        }
        catch (Exception e) when (e is SqliteException or LeaseStoreException or IOException or UnauthorizedAccessException)
        {
            // Said by the write that fails next, if it does.
        }
    }

    /// <summary>What is still pending gets one last try (daemon stop, dhcp-script end).</summary>
    public void Dispose()
    {
        WritePending();
        _store.Dispose();
    }
}
