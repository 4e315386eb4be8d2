using Router.Core.Config;
using Router.Core.Net;
using Router.Core.Ports;

namespace Router.Daemon;

/// <summary>Reads the UCI file and validates it against the interfaces this machine really has.</summary>
public static class ConfigFile
{
    public const string DefaultPath = "/etc/config/routerha";

    public static string ResolvePath(string? given) =>
        given ?? Environment.GetEnvironmentVariable("ROUTERHA_CONFIG") ?? DefaultPath;

    public static RouterConfig? Load(string path, INetworkControl? net, List<ConfigError> errors)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ConfigError(path, 0, $"cannot read config: {e.Message}"));
            return null;
        }
        var config = ConfigLoader.LoadText(path, text, device => Addresses(net, device), errors);
        return config is null ? null : config with { SourcePath = path };
    }

    /// <summary>
    /// The global and leases sections alone, for the CLI verbs (ConfigLoader.LoadGlobalAndLeasesText: problems in
    /// other sections do not stop them). Never fails: without the file the defaults, as on a machine never
    /// configured; an unreadable file gives the defaults too, with the reason in errors.
    /// </summary>
    public static GlobalAndLeases LoadGlobalAndLeases(string path, List<ConfigError> errors)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return GlobalAndLeases.Defaults;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ConfigError(path, 0, $"cannot read config: {e.Message}"));
            return GlobalAndLeases.Defaults;
        }
        return ConfigLoader.LoadGlobalAndLeasesText(path, text, errors);
    }

    private static IReadOnlyList<IpPrefix>? Addresses(INetworkControl? net, string device)
    {
        if (net is null) return null;
        var link = net.GetInterface(device);
        if (link is null) return null;
        var v4 = net.GetAddresses(link.Index, System.Net.Sockets.AddressFamily.InterNetwork);
        var v6 = net.GetAddresses(link.Index, System.Net.Sockets.AddressFamily.InterNetworkV6);
        return [.. v4, .. v6];
    }
}
