using Router.Core.Config;
using Router.Core.Net;

namespace Router.Core.Tests.Config;

internal static class ConfigTestSupport
{
    public const string ConfigPath = "/etc/config/routerha";

    /// <summary>A lookup that knows no device: subnet checks are skipped, as in check-config off the router.</summary>
    public static IReadOnlyList<IpPrefix>? NoDevices(string device) => null;

    public static Func<string, IReadOnlyList<IpPrefix>?> Devices(params (string Device, string[] Prefixes)[] devices)
        => name => devices.Where(d => d.Device == name)
            .Select(d => (IReadOnlyList<IpPrefix>)d.Prefixes.Select(Prefix).ToList())
            .FirstOrDefault();

    public static IpPrefix Prefix(string s) => IpPrefix.TryParse(s, out var p) ? p : throw new ArgumentException(s);

    public static (RouterConfig? Config, List<ConfigError> Errors) Load(string text, Func<string, IReadOnlyList<IpPrefix>?>? lookup = null)
    {
        var errors = new List<ConfigError>();
        var config = ConfigLoader.LoadText(ConfigPath, text, lookup ?? NoDevices, errors);
        return (config, errors);
    }

    public static RouterConfig LoadOk(string text, Func<string, IReadOnlyList<IpPrefix>?>? lookup = null)
    {
        var (config, errors) = Load(text, lookup);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return Assert.IsType<RouterConfig>(config);
    }

    /// <summary>Loads, expects exactly one error, and checks its line and wording.</summary>
    public static ConfigError SingleError(string text, int line, string message, Func<string, IReadOnlyList<IpPrefix>?>? lookup = null)
    {
        var (config, errors) = Load(text, lookup);
        Assert.Null(config);
        var e = Assert.Single(errors);
        Assert.Equal(line, e.Line);
        Assert.Contains(message, e.Message);
        Assert.Equal(ConfigPath, e.Path);
        return e;
    }
}
