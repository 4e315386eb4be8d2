using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>
/// conntrackd state hand-over, the sequence keepalived users run from primary-backup.sh. MASTER: commit the
/// external cache to the kernel (-c), flush the caches (-f), resync with the kernel (-R), bulk-send to the
/// backup (-B). BACKUP: shorten kernel timers (-t), request a resync (-n). FAULT / stop: shorten timers (-t).
/// Like the script, every command runs even when an earlier one failed; the failures are reported together.
/// </summary>
public sealed class ConntrackdAction(string binary, string? config, CommandRunner runner) : IRoleAction
{
    public static IReadOnlyList<string> Sequence(RoleTarget target) => target switch
    {
        RoleTarget.Master => ["-c", "-f", "-R", "-B"],
        RoleTarget.Backup => ["-t", "-n"],
        _ => ["-t"],
    };

    public async Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var flag in Sequence(context.Target))
        {
            IReadOnlyList<string> argv = config is null ? [binary, flag] : [binary, "-C", config, flag];
            var r = await runner.RunAsync(argv, null, cancellationToken);
            if (r.ExitCode != 0) failures.Add($"{flag}: exit code {r.ExitCode}{(r.Output.Length > 0 ? " (" + r.Output + ")" : "")}");
        }
        if (failures.Count > 0) throw new ActionFailedException($"conntrackd {string.Join("; ", failures)}");
    }
}
