using System.Net.Sockets;
using Router.LabKit;
using Xunit.Abstractions;

namespace Router.Lab.Tests;

/// <summary>
/// A fake MQTT broker on the broker address the daemon is configured with (TLS is off by default, so this is also
/// anyone on the path to the real one) announces 150 MB packets: first in the CONNACK, then in a PUBLISH after a valid
/// CONNACK. Judged from outside: the daemon's memory, its VRRP role and what it logged.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class HostileBrokerTests(ITestOutputHelper output)
{
    private const int Announced = 150 * 1024 * 1024;

    [Fact]
    public async Task A150MBPacketAnnouncedByTheBrokerIsRefusedAndTheMasterKeepsItsRoleAndItsMemory()
    {
        using var cts = LabAssert.Budget(120);
        var mqtt = $"\nconfig mqtt\n\toption host '{LabTopology.AddressClient}'\n\toption node_id 'rA'\n\toption keepalive '5'\n";
        using var lab = PairLab.Create(DaemonKind.RouterHa,
            VrrpSettings.For(150, TimeSpan.FromMilliseconds(100)) with { ExtraUci = mqtt },
            VrrpSettings.For(100, TimeSpan.FromMilliseconds(100)));
        using var broker = FakeBroker.Start(lab.Topology.Client, cts.Token);
        var a = (RouterHaNode)lab.A;

        await lab.StartAndElectAsync(cts.Token);
        // The daemon's first CONNECT is held unanswered until its memory is measured.
        await Wait.UntilAsync(() => broker.Connects >= 1, TimeSpan.FromSeconds(5), "the daemon connecting to the broker", lab.Diagnostics, cts.Token);
        var rssBefore = ProcStats.VmRssKb(a.Pid!.Value);
        var advertsBefore = a.Instance().Counters.AdvertsSent;

        broker.Release();
        // Three connections, each answered with a CONNACK announcing 150 MB: the client backs off 0.5..1, 1..2 s between them.
        await Wait.UntilAsync(() => broker.HugeSent >= 3, TimeSpan.FromSeconds(20), "three oversized CONNACKs", lab.Diagnostics, cts.Token);
        var rssAfterConnAck = ProcStats.VmRssKb(a.Pid!.Value);

        // Then valid CONNACKs, each followed by a PUBLISH announcing 150 MB.
        broker.Mode = BrokerMode.HugePublish;
        var before = broker.HugeSent;
        await Wait.UntilAsync(() => broker.HugeSent >= before + 3, TimeSpan.FromSeconds(40), "three oversized PUBLISHes", lab.Diagnostics, cts.Token);
        // The client closes each connection on the header alone: the broker sees it gone.
        await Wait.UntilAsync(() => broker.Open == 0 || broker.Connects > broker.HugeSent, TimeSpan.FromSeconds(10),
            "the daemon closing the connection", lab.Diagnostics, cts.Token);
        var rssAfter = ProcStats.VmRssKb(a.Pid!.Value);

        var status = a.Instance();
        output.WriteLine($"RSS: {rssBefore} KiB before, {rssAfterConnAck} KiB after {before} oversized CONNACKs, " +
                         $"{rssAfter} KiB after {broker.HugeSent - before} oversized PUBLISHes; {broker.Connects} connections; " +
                         $"adverts sent {advertsBefore} -> {status.Counters.AdvertsSent}");
        Assert.True(rssAfter - rssBefore < 20 * 1024, $"RSS grew from {rssBefore} to {rssAfter} KiB");
        Assert.True(rssAfterConnAck - rssBefore < 20 * 1024, $"RSS grew from {rssBefore} to {rssAfterConnAck} KiB");

        // Still MASTER with its adverts going out, the backup still BACKUP (it keeps hearing them), the VIP in place.
        Assert.Equal("MASTER", status.State);
        Assert.True(status.Counters.AdvertsSent > advertsBefore + 10, $"adverts {advertsBefore} -> {status.Counters.AdvertsSent}");
        Assert.Equal("BACKUP", lab.B.State);
        await LabAssert.VipOnlyOnAsync(lab, lab.A, lab.B, cts.Token);
        Assert.True(a.IsRunning);

        // The refusal is in the log as one line naming the packet and the size; repeats of the same failure are not.
        var lines = a.Log().Split('\n');
        var connack = lines.Where(l => l.Contains($"the broker announced a CONNACK of {Announced} bytes, over max_packet_size 65536: connection closed; retrying with backoff",
            StringComparison.Ordinal)).ToList();
        Assert.Single(connack);
        Assert.Contains(lines, l => l.Contains($"the broker announced a PUBLISH of {Announced} bytes, over max_packet_size 65536: connection closed", StringComparison.Ordinal));
        output.WriteLine(connack[0]);
    }

    private enum BrokerMode { HugeConnAck, HugePublish }

    /// <summary>Listens in a lab namespace on the broker address; answers each CONNECT as <see cref="Mode"/> says.</summary>
    private sealed class FakeBroker : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop;
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _accepting;
        private int _connects, _hugeSent, _open;

        private FakeBroker(TcpListener listener, CancellationToken ct)
        {
            _listener = listener;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _accepting = AcceptAsync();
        }

        public static FakeBroker Start(Netns ns, CancellationToken ct)
        {
            // A socket opened inside the namespace stays there, whichever thread accepts on it afterwards.
            var listener = ns.RunInside(() =>
            {
                var l = new TcpListener(LabTopology.AddressClient, 1883);
                l.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                l.Start();
                return l;
            });
            return new FakeBroker(listener, ct);
        }

        public volatile BrokerMode Mode = BrokerMode.HugeConnAck;
        public int Connects => Volatile.Read(ref _connects);
        public int HugeSent => Volatile.Read(ref _hugeSent);
        public int Open => Volatile.Read(ref _open);

        public void Release() => _released.TrySetResult();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                    _ = ServeAsync(client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        }

        private async Task ServeAsync(TcpClient client)
        {
            Interlocked.Increment(ref _open);
            try
            {
                using var _ = client;
                var stream = client.GetStream();
                await ReadPacketAsync(stream).ConfigureAwait(false); // CONNECT
                Interlocked.Increment(ref _connects);
                await _released.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
                if (Mode == BrokerMode.HugePublish)
                    await stream.WriteAsync(new byte[] { 0x20, 0x02, 0x00, 0x00 }, _stop.Token).ConfigureAwait(false);
                // CONNACK (0x20) or PUBLISH QoS 0 (0x30) announcing 150 MB, and the first bytes of a body that never ends.
                var header = new List<byte> { (byte)(Mode == BrokerMode.HugePublish ? 0x30 : 0x20) };
                header.AddRange(RemainingLength(Announced));
                header.AddRange(new byte[4096]);
                await stream.WriteAsync(header.ToArray(), _stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _hugeSent);
                // Whatever the client still sends, until it closes the connection.
                var sink = new byte[4096];
                while (await stream.ReadAsync(sink, _stop.Token).ConfigureAwait(false) > 0) { }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException) { }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        }

        private async Task ReadPacketAsync(NetworkStream stream)
        {
            var one = new byte[1];
            await stream.ReadExactlyAsync(one, _stop.Token).ConfigureAwait(false);
            var length = 0;
            for (var shift = 0; shift <= 21; shift += 7)
            {
                await stream.ReadExactlyAsync(one, _stop.Token).ConfigureAwait(false);
                length |= (one[0] & 0x7F) << shift;
                if ((one[0] & 0x80) == 0) break;
            }
            await stream.ReadExactlyAsync(new byte[length], _stop.Token).ConfigureAwait(false);
        }

        private static IEnumerable<byte> RemainingLength(int length)
        {
            do
            {
                var digit = (byte)(length % 128);
                length /= 128;
                yield return length > 0 ? (byte)(digit | 0x80) : digit;
            } while (length > 0);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            try { _accepting.Wait(TimeSpan.FromSeconds(5)); }
            catch (AggregateException) { }
            _stop.Dispose();
        }
    }
}
