using Router.Core.Ports;

namespace Router.Integrations.Health;

/// <summary>Up when the device is administratively up and has carrier (oper state), read over rtnetlink.</summary>
public sealed class LinkProbe(string device, INetworkControl control) : HealthProbe
{
    protected override Task<(bool Ok, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        var link = control.GetInterface(device);
        var result = link switch
        {
            null => (false, $"{device}: no such device"),
            { AdminUp: false } => (false, $"{device}: administratively down"),
            { OperUp: false } => (false, $"{device}: no carrier"),
            _ => (true, $"{device}: up"),
        };
        return Task.FromResult(result);
    }
}
