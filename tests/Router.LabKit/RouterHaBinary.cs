namespace Router.LabKit;

/// <summary>Where the routerha binary under test lives: $ROUTERHA_BIN, else build/linux-x64/routerha in the repo.</summary>
public static class RouterHaBinary
{
    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Router.sln"))) return d.FullName;
            throw new InvalidOperationException($"no Router.sln above {AppContext.BaseDirectory}");
        }
    }

    public static string PathOrDefault =>
        Environment.GetEnvironmentVariable("ROUTERHA_BIN") is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.Combine(RepoRoot, "build", "linux-x64", "routerha");

    public static bool Exists => File.Exists(PathOrDefault);

    /// <summary>The binary path; throws with instructions when it was not built (the lab must fail, not skip).</summary>
    public static string Require()
    {
        var path = PathOrDefault;
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"routerha binary not found at '{path}'. Build it first (`make build`) or point ROUTERHA_BIN at it.", path);
        return path;
    }
}
