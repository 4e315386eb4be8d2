namespace Router.Daemon;

/// <summary>Command-line verbs (placeholder until the daemon lands).</summary>
public static class Cli
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("routerha: not implemented yet");
        return 2;
    }
}
