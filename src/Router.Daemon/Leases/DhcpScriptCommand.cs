using System.Collections;
using Router.Core.Config;
using Router.Core.Leases;
using Router.Daemon.Control;

namespace Router.Daemon.Leases;

/// <summary>
/// `routerha dhcp-script [-c FILE] [-s SOCKET] ACTION ARGS...`: dnsmasq's --dhcp-script (through a
/// two-line wrapper, since dnsmasq passes no options). dnsmasq runs these calls one at a time and waits,
/// so each call is short: the event goes to the daemon over the control socket and is stored on its
/// loop; when the daemon does not answer in time, this process writes to the store itself. Exit codes:
/// 0 stored (or nothing to store), 1 could not store, 2 malformed call. "init" always exits 0 because
/// a non-zero exit stops dnsmasq from starting at all: serving DHCP without history beats serving none.
/// </summary>
internal static class DhcpScriptCommand
{
    private static readonly TimeSpan DaemonTimeout = TimeSpan.FromSeconds(2);

    public static int Run(string[] args)
    {
        string? config = null, socket = null;
        var i = 0;
        for (; i < args.Length; i++)
        {
            if (args[i] is "-c" or "--config" && i + 1 < args.Length) config = args[++i];
            else if (args[i] is "-s" or "--socket" && i + 1 < args.Length) socket = args[++i];
            else break;
        }
        var rest = HotplugLeaseEvent.WithoutOwnHostname(args[i..], NodeIdentity.KernelHostname());
        var env = DnsmasqEnvironment();
        var now = DateTimeOffset.UtcNow;
        var call = DhcpScriptParser.Parse(rest, env, now);
        switch (call)
        {
            case DhcpScriptMalformed m:
                Console.Error.WriteLine($"routerha dhcp-script: {m.Error}");
                return 2;
            case DhcpScriptIgnored:
                return 0;
        }
        var isInit = call is DhcpScriptInit;
        var problems = new List<ConfigError>();
        var settings = LeaseSettings.Read(ConfigFile.ResolvePath(config), problems);
        if (TryDaemon(socket ?? settings.ControlSocket, rest, env, out var response))
        {
            if (response.Ok)
            {
                if (response.Message is not null) Console.Write(response.Message);
                return 0;
            }
            Console.Error.WriteLine($"routerha dhcp-script: daemon refused {rest[0]}: {response.Error}");
        }
        // Only now do the file's values decide anything (which socket was tried, which store is written): a call
        // the daemon stored stays quiet, or dnsmasq's log would repeat them for every lease.
        foreach (var p in problems) Console.Error.WriteLine($"routerha dhcp-script: {p}");
        return StoreDirectly(call, settings, now, isInit);
    }

    private static bool TryDaemon(string socket, string[] args, Dictionary<string, string> env, out ControlResponse response)
    {
        response = new ControlResponse(false);
        if (!File.Exists(socket)) return false;
        try
        {
            response = ControlClient.SendAsync(socket, new ControlRequest("lease", Args: args, Env: env), DaemonTimeout)
                .GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException or System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static int StoreDirectly(DhcpScriptCall call, LeaseSettings settings, DateTimeOffset now, bool isInit)
    {
        if (settings.DbPath is null)
        {
            Console.Error.WriteLine("routerha dhcp-script: no 'config leases' section in the config: leases are not kept");
            return isInit ? 0 : 1;
        }
        if (isInit) return Init(settings, now);
        try
        {
            using var book = LeaseBook.Open(settings.DbPath, settings.Node, Say, now, settings.Limits);
            var (ok, _, error) = book.Handle(call, now);
            if (!ok) Console.Error.WriteLine($"routerha dhcp-script: {error}");
            // Said by the book (once) when it fails: dnsmasq's log gets the reason.
            return ok && book.Flush(now) ? 0 : 1;
        }
        catch (Exception e) when (e is Router.Store.LeaseStoreException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or DllNotFoundException)
        {
            Console.Error.WriteLine($"routerha dhcp-script: cannot store the lease: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Answers first from a read-only connection, which needs no space and no write permission (a full or read-only
    /// overlay), and only then opens the store for writing (migration, pruning): best effort, said on stderr. Always 0:
    /// a non-zero exit stops dnsmasq from starting at all.
    /// </summary>
    private static int Init(LeaseSettings settings, DateTimeOffset now)
    {
        var path = settings.DbPath!;
        var answered = false;
        try
        {
            using var ro = Router.Store.LeaseStore.OpenReadOnly(path);
            if (ro is not null)
            {
                if (ro.BadRows > 0) Say($"lease store {path}: {ro.BadRows} row(s) fail validation and are skipped");
                Console.Write(DnsmasqLeaseFile.Render(ro.List(), now.ToUnixTimeSeconds()));
                Console.Out.Flush();
                answered = true;
            }
        }
        catch (Exception e) when (e is Router.Store.LeaseStoreException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or DllNotFoundException)
        {
            Say($"lease store {path} not readable as it is ({e.Message}): trying to open it for writing");
        }
        try
        {
            using var book = LeaseBook.Open(path, settings.Node, Say, now, settings.Limits);
            if (!answered) Console.Write(book.RenderLeaseFile(now));
        }
        catch (Exception e) when (e is Router.Store.LeaseStoreException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or DllNotFoundException)
        {
            Say($"lease store {path} cannot be opened for writing: {e.Message}{(answered ? " (its leases were served read-only)" : "; dnsmasq starts without them")}");
        }
        return 0;
    }

    private static void Say(string line) => Console.Error.WriteLine($"routerha: {line}");

    private static Dictionary<string, string> DnsmasqEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && k.StartsWith(DhcpScriptParser.EnvPrefix, StringComparison.Ordinal) && e.Value is string v)
                env[k] = v;
        return env;
    }
}
