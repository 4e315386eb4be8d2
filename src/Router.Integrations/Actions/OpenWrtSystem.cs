namespace Router.Integrations.Actions;

/// <summary>
/// The OpenWrt commands the OMR actions use, and only those that exist on a real box: `uci -q get|show`, `uci set`,
/// `uci commit`, `/etc/init.d/NAME VERB`. Reads never change anything (drift checks run them every few seconds).
/// </summary>
public sealed class OpenWrtSystem(CommandRunner runner, string initDir)
{
    public CommandRunner Runner => runner;

    /// <summary>`uci -q get KEY`: the value, or null when the entry (or its config) does not exist.</summary>
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync(["uci", "-q", "get", key], null, cancellationToken);
        return r.ExitCode == 0 ? r.Output.Trim() : null;
    }

    public Task SetAsync(string key, string value, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync(["uci", "set", $"{key}={value}"], null, cancellationToken);

    public Task CommitAsync(string config, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync(["uci", "commit", config], null, cancellationToken);

    /// <summary>The sections of one config as `uci -q show` names them (`@type[0]` for anonymous ones), with their
    /// types; empty when the config does not exist.</summary>
    public async Task<IReadOnlyList<UciSectionName>> SectionsAsync(string config, CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync(["uci", "-q", "show", config], null, cancellationToken);
        if (r.ExitCode != 0) return [];
        var sections = new List<UciSectionName>();
        foreach (var line in r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // "config.section=type" (a section) vs "config.section.option='value'" (an option).
            var eq = line.IndexOf('=');
            if (eq < 0 || !line.StartsWith(config + ".", StringComparison.Ordinal)) continue;
            var name = line[(config.Length + 1)..eq];
            if (name.Contains('.')) continue;
            sections.Add(new UciSectionName(name, line[(eq + 1)..].Trim('\'')));
        }
        return sections;
    }

    public bool HasInitScript(string service) => File.Exists(InitScript(service));

    public Task InitAsync(string service, string verb, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync([InitScript(service), verb], null, cancellationToken);

    /// <summary>`/etc/init.d/NAME running`: exit 0 when procd has a running instance.</summary>
    public async Task<bool> RunningAsync(string service, CancellationToken cancellationToken) =>
        (await runner.RunAsync([InitScript(service), "running"], null, cancellationToken)).ExitCode == 0;

    private string InitScript(string service) => Path.Combine(initDir, service);
}

/// <summary>A section of a UCI config: its name as `uci show` prints it, and its type. A record class, not a value
/// tuple: LINQ over a struct compiles its own iterator family into the binary (toolchain/README.md, "Size options").</summary>
public sealed record UciSectionName(string Name, string Type);
