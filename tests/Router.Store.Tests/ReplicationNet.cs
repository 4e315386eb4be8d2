using System.Net;
using Router.Core.Leases;

namespace Router.Store.Tests;

/// <summary>
/// Routers with real stores joined by in-memory links: each link carries the encoded messages in order, like the
/// peer channel's connection, and can be cut. Pump() delivers until nothing is in flight.
/// </summary>
public sealed class ReplicationNet : IDisposable
{
    public sealed class Node(string name, string path, ReplicationNet net) : IDisposable
    {
        public string Name { get; } = name;
        public string DbPath { get; } = path;
        public LeaseStore Store { get; private set; } = LeaseStore.Open(path, net.Logged.Add, T0);
        public HybridClock Clock { get; private set; } = new();
        public Dictionary<string, LeaseReplicator> Links { get; } = [];
        /// <summary>This router's wall clock; tests skew it.</summary>
        public DateTimeOffset Wall { get; set; } = T0;

        public LeaseRecord Write(LeaseAction action, string mac, string ip, string? host = null)
        {
            var row = Store.RecordLocal(new DhcpLeaseEvent(action, mac, IPAddress.Parse(ip), host, null, "br-lan",
                Wall.ToUnixTimeSeconds() + 3600), Clock, Name, Wall);
            foreach (var l in Links.Values) l.OnLocalChange(net.Now);
            return row;
        }

        /// <summary>The store file is lost (deleted): a new empty store with a new id.</summary>
        public void LoseStore()
        {
            Store.Dispose();
            foreach (var f in new[] { DbPath, DbPath + "-wal", DbPath + "-shm" }) File.Delete(f);
            Store = LeaseStore.Open(DbPath, net.Logged.Add, T0);
            Clock = new HybridClock(Store.MaxStamp());
        }

        /// <summary>The file is cut in half (power loss on a bad flash): reopening moves it aside and starts empty.</summary>
        public void TruncateStore()
        {
            Store.Dispose(); // the last connection closing checkpoints the WAL into the file, so the cut loses rows
            var length = new FileInfo(DbPath).Length;
            using (var f = new FileStream(DbPath, FileMode.Open)) f.SetLength(length / 2);
            Store = LeaseStore.Open(DbPath, net.Logged.Add, T0);
            Clock = new HybridClock(Store.MaxStamp());
        }

        public void Dispose() => Store.Dispose();
    }

    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("routerha-repl-").FullName;
    private readonly Dictionary<string, Node> _nodes = [];
    private readonly Queue<(string From, string To, ushort Type, byte[] Payload)> _wire = new();
    private readonly HashSet<(string, string)> _up = [];
    public List<string> Logged { get; } = [];
    public TimeSpan Now { get; set; } = TimeSpan.FromSeconds(1);
    public int PageSize { get; set; } = LeaseReplicator.DefaultPageSize;
    /// <summary>Every message put on a link, decoded: what a test can count.</summary>
    public List<(string From, string To, LeaseSyncMessage Message)> Sent { get; } = [];
    public int MostPagesInFlight { get; private set; }

    public Node Add(string name)
    {
        var n = new Node(name, Path.Combine(_dir, name + ".db"), this);
        _nodes[name] = n;
        return n;
    }

    public Node this[string name] => _nodes[name];

    /// <summary>A link between two routers (replicators on both sides; nothing flows until Connect).</summary>
    public void Link(string a, string b)
    {
        _nodes[a].Links[b] = Replicator(a, b);
        _nodes[b].Links[a] = Replicator(b, a);
    }

    private LeaseReplicator Replicator(string from, string to) =>
        new(_nodes[from].Store, _nodes[from].Clock, (type, payload) =>
        {
            // As the peer channel: nothing while the link is down, and no frame above its 256 KiB limit.
            if (!_up.Contains(Key(from, to)) || payload.Length > 256 * 1024) return false;
            _wire.Enqueue((from, to, type, payload));
            Sent.Add((from, to, LeaseSyncCodec.Decode(type, payload, out _)!));
            MostPagesInFlight = Math.Max(MostPagesInFlight, _wire.Count(m => m.From == from && m.To == to && m.Type == LeaseMessageTypes.Page));
            return true;
        }, Logged.Add, Logged.Add, PageSize);

    /// <summary>The store or clock object was replaced (LoseStore): links are rebuilt on it, as a restarted daemon would.</summary>
    public void Relink(string a, string b)
    {
        Disconnect(a, b);
        Link(a, b);
    }

    public void Connect(string a, string b)
    {
        _up.Add(Key(a, b));
        _nodes[a].Links[b].OnConnected(b, Now);
        _nodes[b].Links[a].OnConnected(a, Now);
    }

    public void Disconnect(string a, string b)
    {
        _up.Remove(Key(a, b));
        var pending = _wire.Where(m => Key(m.From, m.To) != Key(a, b)).ToList();
        _wire.Clear();
        foreach (var m in pending) _wire.Enqueue(m);
        _nodes[a].Links[b].OnDisconnected();
        _nodes[b].Links[a].OnDisconnected();
    }

    /// <summary>Everything on the wire is lost, the links stay up.</summary>
    public void DropWire() => _wire.Clear();

    /// <summary>Delivers in order until the wire is empty; returns the number of messages delivered.</summary>
    public int Pump(int limit = 100_000)
    {
        var delivered = 0;
        while (_wire.TryDequeue(out var m))
        {
            if (++delivered > limit) throw new InvalidOperationException("replication does not settle");
            var to = _nodes[m.To];
            if (to.Links[m.From].OnMessage(m.Type, m.Payload, Now) > 0)
                foreach (var (peer, link) in to.Links)
                    if (peer != m.From) link.OnLocalChange(Now);
        }
        return delivered;
    }

    /// <summary>What `routerha leases --json` compares: every row with its version.</summary>
    public static List<string> Rows(LeaseStore s) =>
        s.List(includeDeleted: true).Select(r => $"{r.Key} {r.ExpiresUnix} {r.Hostname} {r.Stamp.Packed} {r.Origin} {r.Deleted}").ToList();

    private static (string, string) Key(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

    public void Dispose()
    {
        foreach (var n in _nodes.Values) n.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
