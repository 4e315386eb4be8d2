using Router.Daemon.Control;

namespace Router.Daemon.Rpcd;

/// <summary>What a call may touch: the config file (instance names, control socket, lease store), the directory
/// genkey writes into, and the way to the daemon (the control socket; tests pass their own).</summary>
internal sealed record RpcdContext(string ConfigPath, string KeyDirectory, Func<ControlRequest, TimeSpan, ControlResponse> Send)
{
    /// <summary>genkey writes only here unless ROUTERHA_KEY_DIR says otherwise (tests: a temp directory).</summary>
    public const string DefaultKeyDirectory = "/etc/routerha";

    public const string KeyDirectoryVariable = "ROUTERHA_KEY_DIR";

    /// <summary>The daemon at -s, else at the config's control_socket (read leniently, as the CLI verbs do).</summary>
    public static RpcdContext For(string? configPath, string? socket)
    {
        var path = ConfigFile.ResolvePath(configPath);
        var keys = Environment.GetEnvironmentVariable(KeyDirectoryVariable) is { Length: > 0 } dir ? dir : DefaultKeyDirectory;
        return new RpcdContext(path, Path.GetFullPath(keys), (request, timeout) =>
        {
            var at = socket ?? ConfigFile.LoadGlobalAndLeases(path, []).Global.ControlSocket;
            return ControlClient.SendAsync(at, request, timeout).GetAwaiter().GetResult();
        });
    }
}
