using Router.Integrations.Actions;
using Router.Integrations.Notify;

namespace Router.Integrations.Health;

/// <summary>Up when the script exits 0 (keepalived's vrrp_script). Past the timeout it is killed with its children.</summary>
public sealed class ScriptProbe(string commandLine, CommandRunner runner) : HealthProbe
{
    protected override async Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync(CommandLine.Split(commandLine), null, cancellationToken).ConfigureAwait(false);
        return (r.ExitCode == 0, r.Output.Length > 0 ? $"exit code {r.ExitCode}: {r.Output}" : $"exit code {r.ExitCode}");
    }
}
