using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>
/// omr_vps_api: OMR's VPS API client pushes this router's addresses and firewall rules to the VPS and re-enables the
/// tunnel; it skips a `config server` section of openmptcprouter with disabled=1. No daemon: OMR's scripts read the flag.
/// MASTER: disabled=0, otherwise 1, for the listed servers or, when none is listed, every server section.
/// </summary>
public sealed class OmrVpsApiAction(IReadOnlyList<string> servers, OpenWrtSystem sys) : IDriftCheckedAction
{
    private const string Config = "openmptcprouter";

    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken) =>
        await UciSwitches.EnsureAsync(sys, await SwitchesAsync(cancellationToken), context.Direction == ActionDirection.Start, cancellationToken);

    public async Task<IReadOnlyList<string>> DriftAsync(ActionContext context, CancellationToken cancellationToken) =>
        await UciSwitches.DriftAsync(sys, "vps api", await SwitchesAsync(cancellationToken), context.Direction == ActionDirection.Start, cancellationToken);

    private async Task<List<UciSwitch>> SwitchesAsync(CancellationToken cancellationToken)
    {
        var sections = await sys.SectionsAsync(Config, cancellationToken);
        var names = servers.Count > 0 ? servers : sections.Where(s => s.Type == "server").Select(s => s.Name).ToList();
        foreach (var name in names)
            if (!sections.Contains(new UciSectionName(name, "server")))
                throw new ActionFailedException($"{Config}.{name} is not a 'config server' section of /etc/config/{Config}");
        return [.. names.Select(n => UciSwitch.Disabled(Config, n))];
    }
}
