using Router.Core.Config;
using Router.Core.Ports;
using Router.Integrations.Actions;

namespace Router.Integrations.Health;

/// <summary>Builds the probe of each configured check.</summary>
public static class ProbeFactory
{
    public static HealthProbe Create(TrackConfig c, INetworkControl control, CommandRunner runner) => c.Kind switch
    {
        TrackKind.Link => new LinkProbe(c.Interface!, control),
        TrackKind.Ping => new PingProbe(c.Host!, c.Interface, c.Source),
        TrackKind.Tcp => new TcpProbe(c.Host!, c.Port, c.Interface, c.Source),
        TrackKind.Process => c.PidFile is not null ? ProcessProbe.ByPidFile(c.PidFile) : ProcessProbe.ByName(c.ProcessName!),
        TrackKind.Script => new ScriptProbe(c.Script!, runner),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "unknown check kind"),
    };
}
