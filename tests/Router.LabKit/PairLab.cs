namespace Router.LabKit;

public enum DaemonKind { RouterHa, Keepalived }

/// <summary>A topology with router A and router B each running a VRRP daemon for the same instance.</summary>
public sealed class PairLab : IDisposable
{
    public LabTopology Topology { get; }
    public IVrrpNode A { get; }
    public IVrrpNode B { get; }

    private PairLab(LabTopology topology, IVrrpNode a, IVrrpNode b)
    {
        Topology = topology;
        A = a;
        B = b;
    }

    public static PairLab Create(DaemonKind kindA, VrrpSettings a, DaemonKind kindB, VrrpSettings b)
    {
        var t = LabTopology.Create();
        try { return new PairLab(t, NewNode(t, kindA, "A", a), NewNode(t, kindB, "B", b)); }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    public static PairLab Create(DaemonKind kind, VrrpSettings a, VrrpSettings b) => Create(kind, a, kind, b);

    public static IVrrpNode NewNode(LabTopology t, DaemonKind kind, string label, VrrpSettings s) => kind switch
    {
        DaemonKind.RouterHa => new RouterHaNode(t, label, s),
        DaemonKind.Keepalived => new KeepalivedNode(t, label, s),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Generous bound for any election: a few master-down intervals plus process start-up.</summary>
    public TimeSpan ElectionTimeout =>
        3 * (A.Settings.MasterDownInterval > B.Settings.MasterDownInterval ? A.Settings.MasterDownInterval : B.Settings.MasterDownInterval)
        + TimeSpan.FromSeconds(5);

    /// <summary>
    /// Starts the expected master and waits until it is MASTER, then starts the backup and waits until it is
    /// BACKUP. Started together, the two master-down timers differ by the priority skew alone (20 ms at 150/100
    /// with 100 ms adverts), so a master whose process starts 20 ms late lets the backup be a brief master: a
    /// real race, but not what the tests built on this start measure. <see cref="StartTogetherAndElectAsync"/>
    /// tests that race on purpose.
    /// </summary>
    public async Task StartAndElectAsync(CancellationToken ct = default)
    {
        var (master, backup) = ExpectedRoles;
        master.Start();
        await master.WaitForStateAsync("MASTER", ElectionTimeout, ct).ConfigureAwait(false);
        backup.Start();
        await backup.WaitForStateAsync("BACKUP", ElectionTimeout, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts both at once and waits until the expected master is MASTER and the backup BACKUP, both holding
    /// for three master-down intervals: whichever wins the start-up race, the pair must settle.
    /// </summary>
    public async Task StartTogetherAndElectAsync(CancellationToken ct = default)
    {
        var (master, backup) = ExpectedRoles;
        A.Start();
        B.Start();
        var settled = () => master.State == "MASTER" && backup.State == "BACKUP";
        await Wait.UntilAsync(settled, ElectionTimeout, "the pair settling", Diagnostics, ct).ConfigureAwait(false);
        await Wait.HoldsAsync(settled, 3 * backup.Settings.MasterDownInterval, "the pair staying settled", Diagnostics, ct)
            .ConfigureAwait(false);
    }

    private (IVrrpNode Master, IVrrpNode Backup) ExpectedRoles => A.Settings.Priority >= B.Settings.Priority ? (A, B) : (B, A);

    public IVrrpNode Node(string label) => label == "A" ? A : label == "B" ? B : throw new ArgumentOutOfRangeException(nameof(label));

    /// <summary>Whether the node's router namespace currently holds every VIP of its instance.</summary>
    public bool HasVips(IVrrpNode node) =>
        node.Settings.Vips.All(v => Topology.HasAddress(node.Namespace, System.Net.IPAddress.Parse(v.Split('/')[0])));

    public bool HasNoVip(IVrrpNode node) =>
        node.Settings.Vips.All(v => !Topology.HasAddress(node.Namespace, System.Net.IPAddress.Parse(v.Split('/')[0])));

    public string Diagnostics() => A.Diagnostics() + "\n" + B.Diagnostics();

    public void Dispose() => Topology.Dispose();
}
