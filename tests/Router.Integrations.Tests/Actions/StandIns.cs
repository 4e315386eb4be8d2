namespace Router.Integrations.Tests.Actions;

/// <summary>
/// Stand-ins for OpenWrt's userland (ubus, uci, /etc/init.d scripts), which cannot exist here: each records its
/// argv to one log, so a test asserts the exact command lines and their order. Bare names go into a bin directory
/// that is the runner's PATH; init scripts into their own directory, recorded as /etc/init.d/NAME.
/// </summary>
internal sealed class StandIns : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rha-standin-").FullName;

    public StandIns()
    {
        Directory.CreateDirectory(BinDir);
        Directory.CreateDirectory(InitDir);
        File.WriteAllText(LogPath, "");
    }

    public string BinDir => Path.Combine(_root, "bin");
    public string InitDir => Path.Combine(_root, "init.d");
    public string LogPath => Path.Combine(_root, "calls.log");
    public string Root => _root;

    /// <summary>A recording command on PATH; <paramref name="then"/> is extra shell run after recording.</summary>
    public StandIns Bin(string name, string then = "exit 0") => Write(Path.Combine(BinDir, name), name, then);

    public StandIns Init(string name, string then = "exit 0") => Write(Path.Combine(InitDir, name), "/etc/init.d/" + name, then);

    public IReadOnlyList<string> Calls() => File.ReadAllLines(LogPath);

    public void ClearCalls() => File.WriteAllText(LogPath, "");

    private StandIns Write(string path, string recordedAs, string then)
    {
        File.WriteAllText(path, $"#!/bin/sh\necho \"{recordedAs} $*\" >> '{LogPath}'\n{then}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return this;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
