namespace Router.LabKit;

public enum FailoverKind
{
    /// <summary>The master crashes: daemon SIGKILLed and, as with a dead router, its addresses stop answering.</summary>
    Kill9,
    /// <summary>The master's cable is pulled at the switch.</summary>
    LinkDown,
    /// <summary>The master is stopped with SIGTERM and hands over (priority-0 advert).</summary>
    Sigterm,
}

/// <summary>How a takeover looked: the client's record, the old master's exit code (SIGTERM) and who answers after.</summary>
/// <param name="Before">who the client's neighbour entry named and the backup's state just before the break: a gap of
/// 0 ms with anything but "A, BACKUP" here means the pair was not as elected when the break came.</param>
public sealed record FailoverOutcome(FailoverKind Kind, ProbeResult Probe, int? OldMasterExitCode, string? AnsweredBy,
    bool OldMasterStillHasVip, string Before = "");

public static class Failover
{
    /// <summary>
    /// With A MASTER and B BACKUP: probe the VIP from the client, break A, wait until B is MASTER and the
    /// client is answered again, and return the probe record. Every wait is bounded.
    /// </summary>
    public static async Task<FailoverOutcome> MeasureAsync(PairLab lab, FailoverKind kind, CancellationToken ct = default)
    {
        var (master, backup) = (lab.A, lab.B);
        var vip = master.Settings.VipAddress;
        using var prober = Prober.Start(lab.Topology.Client, vip);
        var settle = TimeSpan.FromSeconds(5);
        await prober.WaitForReplyAfterAsync(0, settle, ct).ConfigureAwait(false);
        // A short steady run before the failure so the record starts clean.
        await prober.WaitForReplyAfterAsync(prober.SentCount + 5, settle, ct).ConfigureAwait(false);

        var before = $"client's VIP neighbour {lab.Topology.WhoAnswers(vip) ?? "none"}, backup {backup.State}";
        Task<int?>? exit = null;
        switch (kind)
        {
            case FailoverKind.Kill9:
                master.Kill9();
                foreach (var v in master.Settings.Vips)
                    if (lab.Topology.HasAddress(master.Namespace, System.Net.IPAddress.Parse(v.Split('/')[0])))
                        lab.Topology.DeleteAddress(master.Namespace, v);
                break;
            case FailoverKind.LinkDown:
                lab.Topology.SetRouterLink(master.Namespace, up: false);
                break;
            case FailoverKind.Sigterm:
                exit = master.TerminateAsync(TimeSpan.FromSeconds(10));
                break;
        }

        await backup.WaitForStateAsync("MASTER", lab.ElectionTimeout, ct).ConfigureAwait(false);
        await prober.WaitForReplyAfterAsync(prober.SentCount, settle, ct).ConfigureAwait(false);
        var exitCode = exit is null ? null : await exit.ConfigureAwait(false);
        var result = prober.Stop();
        var stillHasVip = kind != FailoverKind.LinkDown && !lab.HasNoVip(master);
        return new FailoverOutcome(kind, result, exitCode, lab.Topology.WhoAnswers(vip), stillHasVip, before);
    }
}
