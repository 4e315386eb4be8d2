using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>Budgets and assertions shared by the lab tests; failures carry the daemons' logs.</summary>
public static class LabAssert
{
    /// <summary>Every lab test is bounded: waits inside it use this token.</summary>
    public static CancellationTokenSource Budget(int seconds = 90)
    {
        Assert.True(File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal)
            && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0"), "lab tests need root (network namespaces, raw sockets)");
        return new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    }

    public static void True(bool condition, string what, PairLab lab) =>
        Assert.True(condition, $"{what}\n{lab.Diagnostics()}");

    /// <summary>Only the master holds the VIP and the client reaches it through the master's MAC.</summary>
    public static async Task VipOnlyOnAsync(PairLab lab, IVrrpNode master, IVrrpNode backup, CancellationToken ct)
    {
        await Wait.UntilAsync(() => lab.HasVips(master), TimeSpan.FromSeconds(2), $"VIP on {master.Label}", lab.Diagnostics, ct);
        True(lab.HasNoVip(backup), $"backup {backup.Label} must not hold the VIP", lab);
        using var prober = Prober.Start(lab.Topology.Client, master.Settings.VipAddress);
        await prober.WaitForReplyAfterAsync(0, TimeSpan.FromSeconds(3), ct);
        prober.Stop();
        Assert.Equal(master.Label, lab.Topology.WhoAnswers(master.Settings.VipAddress));
    }

    /// <summary>
    /// A failure the backup can only notice by silence (crash, cable): the gap cannot be shorter than two
    /// advert intervals (else the probe measured nothing) and must end within master-down plus a margin.
    /// </summary>
    public static void SilentFailoverGap(FailoverOutcome o, PairLab lab)
    {
        var s = lab.B.Settings;
        // A gap read off a broken grid is not a measurement: say so instead of reporting a wrong number.
        True(o.Probe.GridHeld, $"{o.Kind}: the prober was descheduled for {o.Probe.MaxLateMs:0} ms (machine overloaded), gap unknown", lab);
        var min = 2 * s.AdvertInterval.TotalMilliseconds;
        var max = s.MasterDownInterval.TotalMilliseconds + 250;
        True(o.Probe.GapMs >= min && o.Probe.GapMs <= max,
            $"{o.Kind}: client gap {o.Probe.GapMs} ms outside [{min}, {max}] ms ({o.Probe.Runs}; before the break: {o.Before})", lab);
        Assert.Equal("B", o.AnsweredBy);
    }
}
