using Router.Core.Leases;
using Router.Daemon.Control;
using Router.Daemon.Leases;

namespace Router.Daemon;

internal sealed partial class RouterDaemon
{
    /// <summary>The lease store, opened by the composition root; null when leases are not configured or it failed to open.</summary>
    public LeaseBook? Leases { get; init; }

    /// <summary>A dhcp-script call forwarded by `routerha dhcp-script`: stored here, on the loop, in arrival order.</summary>
    private ControlResponse OnLease(ControlRequest request)
    {
        if (Leases is null)
            return new ControlResponse(false, _config.Leases is null
                ? "leases are not configured (no 'config leases' section)"
                : "the lease store is not open (see the log from startup)");
        var call = DhcpScriptParser.Parse(request.Args ?? [], request.Env ?? new Dictionary<string, string>(), _clock.GetUtcNow());
        var (ok, output, error) = Leases.Handle(call, _clock.GetUtcNow());
        if (ok && call is DhcpLeaseEvent) _viewDirty = true; // the lease count in the published status
        if (call is DhcpLeaseEvent e) _log.Debug($"lease {e.Action.ToString().ToLowerInvariant()} {e.Mac} {e.Address} {e.Hostname ?? "*"}");
        if (!ok) _log.Warn($"dhcp-script call refused: {error}");
        return ok ? new ControlResponse(true, Message: output) : new ControlResponse(false, error);
    }
}
