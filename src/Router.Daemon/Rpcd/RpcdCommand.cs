namespace Router.Daemon.Rpcd;

/// <summary>
/// `routerha rpcd list` / `routerha rpcd call METHOD`: the rpcd exec plugin behind /usr/libexec/rpcd/routerha
/// (a shim that execs this), so LuCI's `ubus call routerha ...` reaches the daemon through its control socket.
/// Always exit 0 with one JSON object on stdout for a call: rpcd passes a plugin's stdout to the caller.
/// </summary>
internal static class RpcdCommand
{
    public static int Run(string[] args)
    {
        string? config = null, socket = null;
        var words = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-c" or "--config" when i + 1 < args.Length: config = args[++i]; break;
                case "-s" or "--socket" when i + 1 < args.Length: socket = args[++i]; break;
                default: words.Add(args[i]); break;
            }
        }
        switch (words)
        {
            case ["list"]:
                Console.WriteLine(RpcdMethods.List());
                return 0;
            case ["call", var method]:
                var input = ReadStdin(RpcdArguments.MaxBytes + 1);
                Console.WriteLine(RpcdMethods.Call(method, input, RpcdContext.For(config, socket)));
                return 0;
            default:
                Console.Error.WriteLine("routerha: usage: routerha rpcd list | routerha rpcd call METHOD [-c FILE] [-s SOCKET] (arguments as JSON on stdin)");
                return 2;
        }
    }

    /// <summary>At most max bytes: a caller streaming without end cannot make us hold it all.</summary>
    private static byte[] ReadStdin(int max)
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[max];
        var total = 0;
        int n;
        while (total < max && (n = stdin.Read(buffer, total, max - total)) > 0) total += n;
        return buffer[..total];
    }
}
