using System.Net;
using Router.Core.Vrrp;

namespace Router.Core.Tests.Vrrp;

/// <summary>A fake clock driving one instance the way the daemon's loop would: timers fire exactly at
/// NextDeadline, adverts arrive at given times; every command is logged with its time.</summary>
internal sealed class InstanceSim
{
    public static readonly IPAddress Local = IPAddress.Parse("10.0.0.2");
    public static readonly IPAddress Peer = IPAddress.Parse("10.0.0.3");
    public static readonly IPAddress Vip = IPAddress.Parse("10.0.0.1");

    public InstanceSim(VrrpInstanceSettings settings, IPAddress? local = null)
        => Instance = new VrrpInstance(settings, local ?? Local);

    public VrrpInstance Instance { get; }
    public TimeSpan Now { get; private set; }
    public List<(TimeSpan At, VrrpCommand Command)> Log { get; } = [];

    public static VrrpInstanceSettings Settings(byte priority = 100, double advertSeconds = 1,
        VrrpVersion version = VrrpVersion.V3) => new()
        {
            Name = "lan",
            Vrid = 51,
            Priority = priority,
            Version = version,
            AdvertInterval = S(advertSeconds),
            VirtualAddresses = [Vip],
            GarpMasterDelay = TimeSpan.Zero,
        };

    public static VrrpAdvertisement Advert(byte priority, ushort intervalCs = 100, VrrpVersion version = VrrpVersion.V3)
        => new(version, 51, priority, intervalCs, [Vip]);

    /// <summary>Seconds rounded to the nearest tick (TimeSpan.FromSeconds would truncate 0.99 s to 0.9899999 s).</summary>
    public static TimeSpan S(double seconds) => TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    public IReadOnlyList<VrrpCommand> Start(TimeSpan startupDelay = default) => Note(Instance.Start(Now, startupDelay));

    /// <summary>Fires every deadline up to and including <paramref name="until"/>, then sets the clock there.</summary>
    public void RunUntil(TimeSpan until)
    {
        while (Instance.NextDeadline is { } due && due <= until)
        {
            Assert.True(due >= Now, $"deadline {due} is in the past (now {Now})");
            Now = due;
            Note(Instance.OnTimer(Now));
        }
        Now = until;
    }

    public IReadOnlyList<VrrpCommand> Receive(TimeSpan at, VrrpAdvertisement adv, IPAddress? from = null)
    {
        RunUntil(at);
        return Note(Instance.OnAdvertisement(adv, from ?? Peer, Now));
    }

    /// <summary>The peer advertises every <paramref name="every"/> from <paramref name="from"/> while before <paramref name="until"/>.</summary>
    public void ReceiveEvery(TimeSpan from, TimeSpan until, TimeSpan every, VrrpAdvertisement adv, IPAddress? source = null)
    {
        for (var t = from; t < until; t += every)
            Receive(t, adv, source);
    }

    public IReadOnlyList<VrrpCommand> Do(Func<VrrpInstance, TimeSpan, IReadOnlyList<VrrpCommand>> action)
        => Note(action(Instance, Now));

    public IReadOnlyList<VrrpCommand> Note(IReadOnlyList<VrrpCommand> commands)
    {
        foreach (var c in commands)
            Log.Add((Now, c));
        return commands;
    }

    /// <summary>When the instance became MASTER (first time after <paramref name="after"/>), or null.</summary>
    public TimeSpan? BecameMasterAt(TimeSpan after = default)
        => Log.Where(e => e.At >= after && e.Command is StateChanged { To: VrrpState.Master })
              .Select(e => (TimeSpan?)e.At).FirstOrDefault();

    public List<TimeSpan> TimesOf<T>() where T : VrrpCommand
        => Log.Where(e => e.Command is T).Select(e => e.At).ToList();
}
