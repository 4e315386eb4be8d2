using Router.Core.Net;

namespace Router.Core.Config;

/// <summary>Turns a UCI document into a validated RouterConfig. Pure: interface facts come through the lookup.</summary>
public static class ConfigLoader
{
    /// <summary>
    /// interfaceAddresses: the addresses configured on a device, or null when the device does not exist
    /// (then subnet checks for it are skipped: check-config on a machine that is not the router).
    /// Returns null and fills errors when anything is wrong; every error names file:line.
    /// </summary>
    public static RouterConfig? Load(UciDocument doc, Func<string, IReadOnlyList<IpPrefix>?> interfaceAddresses, List<ConfigError> errors)
        => throw new NotImplementedException();

    /// <summary>Parse + Load in one step.</summary>
    public static RouterConfig? LoadText(string path, string text, Func<string, IReadOnlyList<IpPrefix>?> interfaceAddresses, List<ConfigError> errors)
    {
        var doc = UciParser.Parse(path, text, errors);
        return errors.Count > 0 ? null : Load(doc, interfaceAddresses, errors);
    }
}
