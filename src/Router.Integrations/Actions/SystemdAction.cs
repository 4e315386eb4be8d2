using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>systemd units via `systemctl start|stop UNIT`, only where systemd is the running init
/// (the sd_booted test: /run/systemd/system exists).</summary>
public sealed class SystemdAction(IReadOnlyList<string> units, CommandRunner runner, string runtimeDir = SystemdAction.RuntimeDir) : IRoleAction
{
    public const string RuntimeDir = "/run/systemd/system";

    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(runtimeDir))
            throw new ActionFailedException($"systemd is not running here ({runtimeDir} missing): cannot {Verb(context)} {string.Join(", ", units)}");
        foreach (var unit in units)
            await runner.RunCheckedAsync(["systemctl", Verb(context), unit], null, cancellationToken);
    }

    private static string Verb(ActionContext c) => c.Direction == ActionDirection.Start ? "start" : "stop";
}
