using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Router.LabKit;
using Router.Peers;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// A host on the LAN, knowing no secret, goes after the peer channel (TCP 7405): it squats the listeners with idle
/// connections, and floods hellos from the peer's own address (as a host that took that address over would). Judged
/// from outside: the channel stays up on both routers, a restarted peer gets back in, the attacker never receives a
/// proof, each refusal costs little CPU and VRRP keeps its pace, refusals are counted in status and logged a few times,
/// cleaned.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HostileLanPeerTests(ITestOutputHelper output)
{
    private const int PeerPort = 7405;
    /// <summary>What the attacker calls itself: an escape sequence and a line break to forge a log line.</summary>
    private const string EvilNodeId = "evil\u001b[31m\r\nrouterha[1]: FAKE peer up";
    private const string EvilNodeIdCleaned = "evil?[31m??routerha[1]: FAKE peer up";

    /// <summary>Short, so the takeover's fence is seen to open within the test's budget.</summary>
    private static readonly TimeSpan FenceWindow = TimeSpan.FromSeconds(4);

    private static PairLab PeeredPair()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"routerha-peer-lab-{Guid.NewGuid():N}.key");
        File.WriteAllText(secret, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string Peer(IPAddress own, IPAddress other) =>
            $"\nconfig peer 'other'\n\tlist path 'lan {own} {other}'\n\toption secret_file '{secret}'\n\toption fence_window '{FenceWindow.TotalSeconds}'\n";
        var lab = PairLab.Create(DaemonKind.RouterHa,
            VrrpSettings.For(150, TimeSpan.FromSeconds(1)) with { NodeName = "router-a", ExtraUci = Peer(LabTopology.AddressA, LabTopology.AddressB) },
            VrrpSettings.For(100, TimeSpan.FromSeconds(1)) with { NodeName = "router-b", ExtraUci = Peer(LabTopology.AddressB, LabTopology.AddressA) });
        lab.Topology.Own(new DeleteFile(secret));
        return lab;
    }

    [Fact]
    public async Task SquattersOnTheLanNeitherBreakThePeerChannelNorKeepARestartedPeerOut()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = PeeredPair();
        var a = (RouterHaNode)lab.A;
        var b = (RouterHaNode)lab.B;
        await lab.StartAndElectAsync(cts.Token);
        await WaitBothUpAsync(lab, TimeSpan.FromSeconds(10), cts.Token);
        var quiet = await RestartAndReconnectAsync(lab, b, cts.Token);

        var logFrom = a.Log().Length;
        using (var squat = new Squatters(lab.Topology.Client, [new(LabTopology.AddressA, PeerPort), new(LabTopology.AddressB, PeerPort)], slotsPerTarget: 50))
        {
            await Wait.UntilAsync(() => squat.Connected >= 100, TimeSpan.FromSeconds(10), "the squatters' first connections", lab.Diagnostics, cts.Token);
            await Wait.HoldsAsync(() => PeerUp(a) && PeerUp(b), TimeSpan.FromSeconds(3), "the peer channel up on both routers under the squat",
                lab.Diagnostics, cts.Token);
            // The regression for finding 2: the peer's own connection must still get in while strangers hold the port.
            var squatted = await RestartAndReconnectAsync(lab, b, cts.Token);
            output.WriteLine($"B restarted: peer channel up again {quiet.TotalMilliseconds:0} ms after start without attack, " +
                             $"{squatted.TotalMilliseconds:0} ms under {squat.Connected} squatting connections");
            LabAssert.True(squatted < TimeSpan.FromSeconds(10), $"B back on the channel in {squatted.TotalMilliseconds:0} ms under the squat", lab);
            LabAssert.True(squat.BytesReceived == 0, $"the squatters received {squat.BytesReceived} bytes", lab);

            var refused = LanPath(a)!.Refusals.GetValueOrDefault("NotPeerAddress");
            output.WriteLine($"A refused {refused} connections from the stranger; squatters opened {squat.Connected}");
            LabAssert.True(refused >= 50, $"A counting the strangers' connections ({refused})", lab);
        }
        var lines = RefusalLines(a.Log()[logFrom..]);
        LabAssert.True(lines.Count is >= 1 and <= 3, $"A logged {lines.Count} refusal lines for the squat:\n{string.Join('\n', lines)}", lab);
        Assert.Contains(lines, l => l.Contains($"connection from {LabTopology.AddressClient},", StringComparison.Ordinal));
        Assert.Equal("MASTER", a.State);
        Assert.Equal("BACKUP", b.State);
    }

    [Fact]
    public async Task IdleConnectionsFromThePeersOwnAddressesDoNotLockTheRealPeerOut()
    {
        // A host that took over the peer's address (here: sockets opened in each router's namespace, towards the other)
        // passes the address check; only the per-source cap and the first-frame deadline stand between it and the slots.
        using var cts = LabAssert.Budget(60);
        using var lab = PeeredPair();
        var a = (RouterHaNode)lab.A;
        var b = (RouterHaNode)lab.B;
        await lab.StartAndElectAsync(cts.Token);
        await WaitBothUpAsync(lab, TimeSpan.FromSeconds(10), cts.Token);

        using var onA = new Squatters(lab.Topology.RouterB, [new(LabTopology.AddressA, PeerPort)], slotsPerTarget: 50);
        using var onB = new Squatters(lab.Topology.RouterA, [new(LabTopology.AddressB, PeerPort)], slotsPerTarget: 50);
        await Wait.UntilAsync(() => onA.Connected >= 100 && onB.Connected >= 100, TimeSpan.FromSeconds(10), "the squatters' connections",
            lab.Diagnostics, cts.Token);
        var took = await RestartAndReconnectAsync(lab, b, cts.Token);
        var refusals = LanPath(a)!.Refusals;
        output.WriteLine($"B restarted under {onA.Connected} + {onB.Connected} idle connections from the peers' own addresses: " +
                         $"channel up {took.TotalMilliseconds:0} ms after start; A refused {string.Join(", ", refusals.Select(kv => $"{kv.Key} {kv.Value}"))}");
        LabAssert.True(took < TimeSpan.FromSeconds(10), $"B back on the channel in {took.TotalMilliseconds:0} ms", lab);
        LabAssert.True(refusals.GetValueOrDefault("TooManyConnections") + refusals.GetValueOrDefault("Timeout") >= 50,
            "A evicting or timing out the idle connections", lab);
        LabAssert.True(onA.BytesReceived == 0 && onB.BytesReceived == 0, "the idle connections received nothing", lab);
    }

    [Fact]
    public async Task AHelloFloodFromThePeersAddressEarnsNoProofAndTheBackupStillTakesOver()
    {
        using var cts = LabAssert.Budget(60);
        using var lab = PeeredPair();
        var a = (RouterHaNode)lab.A;
        var b = (RouterHaNode)lab.B;
        await lab.StartAndElectAsync(cts.Token);
        await WaitBothUpAsync(lab, TimeSpan.FromSeconds(10), cts.Token);

        var pid = a.Pid!.Value;
        var logFrom = a.Log().Length;
        var flood = TimeSpan.FromSeconds(5);
        TimeSpan cpu;
        TimeSpan elapsed;
        long adverts;
        HelloFlood attack;
        var target = new IPEndPoint(LabTopology.AddressA, PeerPort);
        // One lone attempt first: the refusal A logs for this source is then a wrong proof, carrying the attacker's node id.
        Assert.Equal(PeerProtocol.Reject, await HelloFlood.OnceAsync(lab.Topology.RouterB, target, cts.Token));
        // From B's namespace, so from the very address A accepts: only the secret stands between the flood and a session.
        using (attack = new HelloFlood(lab.Topology.RouterB, target, workers: 4))
        {
            var adverts0 = a.Instance().Counters.AdvertsSent;
            var transitions0 = b.Instance().Transitions.Count;
            var cpu0 = ProcStats.CpuTime(pid);
            var clock = Stopwatch.StartNew();
            await Wait.HoldsAsync(() => Task.FromResult(PeerUp(a) && PeerUp(b)), up => up, flood, "the peer channel up on both routers under the flood",
                _ => lab.Diagnostics(), TimeSpan.FromMilliseconds(250), cts.Token);
            cpu = ProcStats.CpuTime(pid) - cpu0;
            elapsed = clock.Elapsed;
            adverts = a.Instance().Counters.AdvertsSent - adverts0;
            LabAssert.True(b.Instance().Transitions.Count == transitions0, "B staying BACKUP through the flood", lab);
        }
        var share = cpu / elapsed;
        output.WriteLine($"flood {elapsed.TotalSeconds:0.0} s: {attack.Attempts} connections, {attack.HellosAnswered} hellos answered, {attack.Rejects} rejects, " +
                         $"{attack.Proofs} proofs; A's CPU {share:P1} of one core ({cpu.TotalMilliseconds:0} ms)");
        LabAssert.True(attack.HellosAnswered >= 50, $"the flood reached the proof step ({attack.HellosAnswered} hellos answered)", lab);
        LabAssert.True(attack.Proofs == 0, $"the attacker obtained {attack.Proofs} proofs", lab);
        // The share of a core follows the attacker's rate; what the router controls is the cost of each refusal.
        var perConnection = cpu / Math.Max(1, attack.Attempts);
        output.WriteLine($"A's CPU per attacking connection {perConnection.TotalMicroseconds:0} µs; A sent {adverts} adverts");
        LabAssert.True(perConnection < TimeSpan.FromMilliseconds(1), $"A spent {perConnection.TotalMicroseconds:0} µs of CPU per attacking connection", lab);
        LabAssert.True(adverts >= (long)elapsed.TotalSeconds - 1, $"A kept advertising every second ({adverts} in {elapsed.TotalSeconds:0.0} s)", lab);

        // And one after: the path's last error is then the attacker's refusal too.
        Assert.Equal(PeerProtocol.Reject, await HelloFlood.OnceAsync(lab.Topology.RouterB, target, cts.Token));
        var path = LanPath(a)!;
        var wrongKey = path.Refusals.GetValueOrDefault("WrongKey");
        output.WriteLine($"A's refusals: {string.Join(", ", path.Refusals.Select(kv => $"{kv.Key} {kv.Value}"))}");
        LabAssert.True(wrongKey >= attack.Rejects, $"A counted {wrongKey} wrong proofs, the attacker got {attack.Rejects} rejects", lab);
        var lines = RefusalLines(a.Log()[logFrom..]);
        output.WriteLine(string.Join('\n', lines));
        LabAssert.True(lines.Count is >= 1 and <= 3, $"A logged {lines.Count} refusal lines for the flood:\n{string.Join('\n', lines)}", lab);

        // The attacker's node id reached the log and status only cleaned: no escape, no forged line.
        var log = a.Log();
        Assert.Contains(EvilNodeIdCleaned, log, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', log);
        Assert.DoesNotContain(log.Split('\n'), l => l.StartsWith("routerha[1]: FAKE", StringComparison.Ordinal));
        Assert.Contains(EvilNodeIdCleaned, path.LastError ?? "", StringComparison.Ordinal);
        var text = a.Cli("status");
        Assert.True(text.Ok, text.StdErr);
        Assert.DoesNotContain(text.StdOut, c => char.IsControl(c) && c != '\n');

        // The real master dies after the attack: the backup takes over as before.
        var killed = Stopwatch.StartNew();
        lab.A.Kill9();
        await b.WaitForStateAsync("MASTER", lab.B.Settings.MasterDownInterval + TimeSpan.FromSeconds(2), cts.Token);
        var took = killed.Elapsed;
        output.WriteLine($"B MASTER {took.TotalMilliseconds:0} ms after A's kill -9 (master-down {lab.B.Settings.MasterDownInterval.TotalMilliseconds:0} ms)");
        await Wait.UntilAsync(() => lab.HasVips(b), TimeSpan.FromSeconds(2), "the VIP on B", lab.Diagnostics, cts.Token);
        LabAssert.True(!PeerUp(b), "B sees the peer channel down once A is gone", lab);
        // Fencing unchanged by the attack: the dead master never confirmed, so B's tunnel waits out the silence window.
        await Wait.UntilAsync(() => b.TryStatus()?.Fence is { Gate: "Allowed" } f && f.Reason.Contains("peer silent", StringComparison.Ordinal),
            FenceWindow + TimeSpan.FromSeconds(3), "B's fence opening on the peer's silence", lab.Diagnostics, cts.Token);
    }

    /// <summary>Stops B gracefully, starts it again and returns how long after the start both ends saw the channel up.</summary>
    private static async Task<TimeSpan> RestartAndReconnectAsync(PairLab lab, RouterHaNode b, CancellationToken ct)
    {
        LabAssert.True(await b.TerminateAsync(TimeSpan.FromSeconds(5)) is not null, "B stopping on SIGTERM", lab);
        await Wait.UntilAsync(() => !PeerUp((RouterHaNode)lab.A), TimeSpan.FromSeconds(5), "A seeing B leave", lab.Diagnostics, ct);
        var started = Stopwatch.StartNew();
        b.Start();
        await WaitBothUpAsync(lab, TimeSpan.FromSeconds(15), ct);
        var took = started.Elapsed;
        await b.WaitForStateAsync("BACKUP", lab.ElectionTimeout, ct);
        return took;
    }

    private static Task WaitBothUpAsync(PairLab lab, TimeSpan timeout, CancellationToken ct) =>
        Wait.UntilAsync(() => PeerUp((RouterHaNode)lab.A) && PeerUp((RouterHaNode)lab.B), timeout, "the peer channel up on both routers",
            lab.Diagnostics, ct);

    private static bool PeerUp(RouterHaNode node) => LanPath(node)?.Up == true;

    /// <summary>The 'lan' peer path as `routerha status --json` shows it, or null while the daemon does not answer.</summary>
    private static PeerPathSeen? LanPath(RouterHaNode node)
    {
        var r = node.Cli("status", "--json");
        if (!r.Ok) return null;
        using var doc = JsonDocument.Parse(r.StdOut);
        if (!doc.RootElement.TryGetProperty("peers", out var peers) || peers.ValueKind != JsonValueKind.Array) return null;
        foreach (var p in peers.EnumerateArray())
        {
            if (p.GetProperty("path").GetString() != "lan") continue;
            var refusals = p.TryGetProperty("refusals", out var rf) && rf.ValueKind == JsonValueKind.Object
                ? rf.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetInt64())
                : [];
            var error = p.TryGetProperty("last_error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            return new PeerPathSeen(p.GetProperty("up").GetBoolean(), error, refusals);
        }
        return null;
    }

    private static List<string> RefusalLines(string log) =>
        log.Split('\n').Where(l => l.Contains("peer on lan refused (", StringComparison.Ordinal)).ToList();

    private sealed record PeerPathSeen(bool Up, string? LastError, Dictionary<string, long> Refusals);

    /// <summary>Fresh TCP sockets opened inside a namespace, made in batches (entering a namespace costs a thread).</summary>
    private sealed class SocketSource(Netns ns) : IDisposable
    {
        private readonly ConcurrentQueue<Socket> _ready = new();
        private readonly Lock _refill = new();

        public Socket Take()
        {
            while (true)
            {
                if (_ready.TryDequeue(out var s)) return s;
                lock (_refill)
                {
                    if (!_ready.IsEmpty) continue;
                    foreach (var made in ns.RunInside(() => Enumerable.Range(0, 64)
                                 .Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }).ToArray()))
                        _ready.Enqueue(made);
                }
            }
        }

        public void Dispose()
        {
            while (_ready.TryDequeue(out var s)) s.Dispose();
        }
    }

    /// <summary>Keeps <c>slotsPerTarget</c> connections open to each target; a closed one is reopened after a short pause.
    /// Sends nothing, counts what it receives.</summary>
    private sealed class Squatters : IDisposable
    {
        private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);
        private readonly CancellationTokenSource _stop = new();
        private readonly SocketSource _sockets;
        private readonly Task[] _slots;
        private long _connected;
        private long _bytes;

        public Squatters(Netns from, IPEndPoint[] targets, int slotsPerTarget)
        {
            _sockets = new SocketSource(from);
            _slots = targets.SelectMany(t => Enumerable.Range(0, slotsPerTarget).Select(_ => Task.Run(() => Slot(t)))).ToArray();
        }

        public long Connected => Interlocked.Read(ref _connected);
        public long BytesReceived => Interlocked.Read(ref _bytes);

        private async Task Slot(IPEndPoint target)
        {
            var ct = _stop.Token;
            var buffer = new byte[256];
            while (!ct.IsCancellationRequested)
            {
                using (var s = _sockets.Take())
                {
                    try
                    {
                        await s.ConnectAsync(target, ct);
                        Interlocked.Increment(ref _connected);
                        int n;
                        while ((n = await s.ReceiveAsync(buffer, ct)) > 0) Interlocked.Add(ref _bytes, n);
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException)
                    {
                        // Reset by the router, or stopping.
                    }
                }
                // The attack's own pace between connections, not a wait for anything.
                try { await Task.Delay(Pause, ct); }
                catch (OperationCanceledException) { }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            Task.WaitAll(_slots, TimeSpan.FromSeconds(10));
            _sockets.Dispose();
            _stop.Dispose();
        }
    }

    /// <summary>Workers that connect, say hello (with <see cref="EvilNodeId"/>), answer the router's hello with a random
    /// proof and read what comes back, as fast as they can. A Proof frame from the router is what must never come.</summary>
    private sealed class HelloFlood : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly SocketSource _sockets;
        private readonly Task[] _workers;
        private long _attempts;
        private long _answered;
        private long _rejects;
        private long _proofs;

        public HelloFlood(Netns from, IPEndPoint target, int workers)
        {
            _sockets = new SocketSource(from);
            _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => Work(target))).ToArray();
        }

        public long Attempts => Interlocked.Read(ref _attempts);
        public long HellosAnswered => Interlocked.Read(ref _answered);
        public long Rejects => Interlocked.Read(ref _rejects);
        public long Proofs => Interlocked.Read(ref _proofs);

        private async Task Work(IPEndPoint target)
        {
            while (!_stop.IsCancellationRequested)
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                attempt.CancelAfter(TimeSpan.FromSeconds(3));
                Interlocked.Increment(ref _attempts);
                try
                {
                    foreach (var frame in await AttemptAsync(_sockets.Take(), target, attempt.Token)) Count(frame);
                }
                catch (Exception e) when (e is IOException or SocketException or PeerProtocolException or OperationCanceledException)
                {
                    // Reset (evicted by a newer connection from this address) or stopping: next one.
                }
            }
        }

        /// <summary>One connection from <paramref name="from"/>: hello, wrong proof; returns the type of the last frame received.</summary>
        public static async Task<ushort> OnceAsync(Netns from, IPEndPoint target, CancellationToken ct)
        {
            var socket = from.RunInside(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
            return (await AttemptAsync(socket, target, ct))[^1];
        }

        /// <summary>The types of the frames the router sent back, in order.</summary>
        private static async Task<List<ushort>> AttemptAsync(Socket socket, IPEndPoint target, CancellationToken ct)
        {
            try { await socket.ConnectAsync(target, ct); }
            catch
            {
                socket.Dispose();
                throw;
            }
            using var stream = new NetworkStream(socket, ownsSocket: true);
            var hello = new PeerHello(PeerProtocol.ProtocolVersion, PeerProtocol.SchemaVersion, RandomNumberGenerator.GetBytes(PeerHello.NonceBytes),
                EvilNodeId, "0.0-evil", "lan");
            await stream.WriteAsync(PeerProtocol.RawFrame(PeerProtocol.Hello, hello.Encode()), ct);
            var received = new List<ushort>();
            var (type, _) = await PeerProtocol.ReadFrameAsync(stream, PeerProtocol.MaxHandshakeFrame, ct);
            received.Add(type);
            if (type != PeerProtocol.Hello) return received;
            await stream.WriteAsync(PeerProtocol.RawFrame(PeerProtocol.Proof, RandomNumberGenerator.GetBytes(PeerProtocol.MacBytes)), ct);
            (type, _) = await PeerProtocol.ReadFrameAsync(stream, PeerProtocol.MaxHandshakeFrame, ct);
            received.Add(type);
            return received;
        }

        private void Count(ushort type)
        {
            if (type == PeerProtocol.Hello) Interlocked.Increment(ref _answered);
            else if (type == PeerProtocol.Reject) Interlocked.Increment(ref _rejects);
            else if (type == PeerProtocol.Proof) Interlocked.Increment(ref _proofs);
        }

        public void Dispose()
        {
            _stop.Cancel();
            Task.WaitAll(_workers, TimeSpan.FromSeconds(10));
            _sockets.Dispose();
            _stop.Dispose();
        }
    }

    private sealed class DeleteFile(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}
