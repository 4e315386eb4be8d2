using Router.Core.Ports;
using Router.Core.Roles;

namespace Router.Integrations.Actions;

/// <summary>Kernel devices administratively up on MASTER, down otherwise, through rtnetlink (no `ip` process).</summary>
public sealed class LinkAction(IReadOnlyList<string> devices, Func<ILinkControl> openControl) : IRoleAction
{
    public Task RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var control = openControl();
        foreach (var device in devices)
        {
            try { control.SetLinkUp(device, context.Direction == ActionDirection.Start); }
            catch (IOException e) { throw new ActionFailedException(e.Message); }
        }
        return Task.CompletedTask;
    }
}
