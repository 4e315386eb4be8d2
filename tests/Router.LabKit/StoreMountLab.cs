using System.Globalization;
using System.Text.Json;

namespace Router.LabKit;

/// <summary>
/// One router whose lease store sits on a small tmpfs that can be filled to ENOSPC or remounted read-only, as an
/// OpenWrt overlay can be. The tmpfs lives in a private mount namespace held by a sleeping process, so it vanishes
/// with that process and the host's mount table never sees it. Everything (routerha's daemon and CLI, sqlite3,
/// dd) runs through nsenter in that mount namespace and in a network namespace with one veth pair, where the
/// daemon's VRRP instance elects itself MASTER.
/// </summary>
public sealed class StoreMountLab : IDisposable
{
    private readonly string _bin;
    private readonly List<IDisposable> _owned = [];
    private readonly LabProcess _holder;

    public Netns Router { get; }
    public string Dir { get; }
    /// <summary>The tmpfs mount point (in the private mount namespace only).</summary>
    public string StoreDir => Path.Combine(Dir, "store");
    public string DbPath => Path.Combine(StoreDir, "leases.db");
    public string ConfigPath => Path.Combine(Dir, "routerha.conf");
    public LabProcess? Daemon { get; private set; }

    private StoreMountLab(string bin, Netns router, string dir, LabProcess holder)
    {
        _bin = bin;
        Router = router;
        Dir = dir;
        _holder = holder;
    }

    /// <param name="tmpfsKiB">size of the store's tmpfs</param>
    public static StoreMountLab Create(int tmpfsKiB = 512)
    {
        var bin = RouterHaBinary.Require();
        var router = Netns.Create($"{LabRun.Prefix}{LabRun.NextTopologyNumber()}m");
        string? dir = null;
        LabProcess? holder = null;
        try
        {
            router.Ip("link", "add", "lan0", "type", "veth", "peer", "name", "lan0p");
            router.Ip("addr", "add", "10.98.0.2/24", "dev", "lan0");
            router.Ip("link", "set", "lan0", "up");
            router.Ip("link", "set", "lan0p", "up");
            dir = Directory.CreateTempSubdirectory("routerha-storemount-").FullName;
            Directory.CreateDirectory(Path.Combine(dir, "store"));
            // Private propagation: the tmpfs mounted below stays in this namespace.
            holder = LabProcess.Start(router, "unshare", ["-m", "--propagation", "private", "sleep", "infinity"]);
            var lab = new StoreMountLab(bin, router, dir, holder);
            lab.WaitForHolder();
            lab.Check("mount", "-t", "tmpfs", "-o", $"size={tmpfsKiB}k,mode=0755", "tmpfs", lab.StoreDir);
            lab.WriteConfig();
            return lab;
        }
        catch
        {
            holder?.Dispose();
            router.Dispose();
            if (dir is not null) Directory.Delete(dir, recursive: true);
            throw;
        }
    }

    /// <summary>unshare execs sleep once the namespace exists: until then nsenter would join the host's.</summary>
    private void WaitForHolder() =>
        Wait.For(() => File.ReadAllText($"/proc/{_holder.Pid}/comm").Trim(), comm => comm == "sleep", TimeSpan.FromSeconds(10),
            "the mount namespace holder to run", comm => comm, TimeSpan.FromMilliseconds(10));

    private void WriteConfig() => File.WriteAllText(ConfigPath, $"""
        config global
        	option node_name 'mount-router'
        	option control_socket '{Dir}/routerha.sock'
        	option syslog '0'
        	option log_level 'debug'

        config instance 'lan'
        	option interface 'lan0'
        	option vrid '61'
        	option priority '150'
        	option advert_interval '0.2'
        	list vip '10.98.0.1/24'

        config leases
        	option db_path '{DbPath}'
        	option commit_interval '100'

        """);

    private string[] Enter(string file, IEnumerable<string> args) =>
        ["-t", _holder.Pid.ToString(CultureInfo.InvariantCulture), "-m", "-n", "--", file, .. args];

    /// <summary>Runs a command in the lab's mount and network namespaces.</summary>
    public CommandResult Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Shell.Run("nsenter", Enter(file, args), TimeSpan.FromSeconds(20), environment);

    public string Check(string file, params string[] args)
    {
        var r = Run(file, args);
        if (!r.Ok) throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` failed ({r.ExitCode}): {r.StdErr.Trim()}");
        return r.StdOut;
    }

    /// <summary>The routerha CLI with this lab's config (and socket, so a call reaches the daemon when it runs).</summary>
    public CommandResult RouterHa(params string[] args) => Run(_bin, [.. args, "-c", ConfigPath]);

    /// <summary>A dnsmasq dhcp-script call: to the daemon if it answers, else written by the call itself.</summary>
    public CommandResult DhcpScript(string action, string mac, string ip, string? host = null, long? expires = null)
    {
        var env = new Dictionary<string, string>
        {
            ["DNSMASQ_LEASE_EXPIRES"] = (expires ?? DateTimeOffset.UtcNow.AddHours(12).ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture),
        };
        List<string> args = ["dhcp-script", "-c", ConfigPath, action, mac, ip];
        if (host is not null) args.Add(host);
        return Run(_bin, args, env);
    }

    public CommandResult Init() => Run(_bin, ["dhcp-script", "-c", ConfigPath, "init"]);

    public CommandResult Sqlite(string sql) => Run("sqlite3", [DbPath, sql]);

    public LabProcess StartDaemon()
    {
        Daemon = LabProcess.Start(Router, "nsenter", Enter(_bin, ["run", "-c", ConfigPath]));
        _owned.Add(Daemon);
        return Daemon;
    }

    /// <summary>`routerha status --json`, parsed (caller disposes), or null when the daemon does not answer.</summary>
    public JsonDocument? Status()
    {
        var s = RouterHa("status", "--json");
        return s.Ok ? JsonDocument.Parse(s.StdOut) : null;
    }

    /// <summary>Fills the tmpfs with one file until the kernel says ENOSPC; returns the bytes free afterwards.</summary>
    public long Fill()
    {
        // dd stops at ENOSPC with a non-zero exit: that is the point.
        Run("dd", ["if=/dev/zero", $"of={StoreDir}/filler", "bs=4096"]);
        return FreeBytes();
    }

    public void Unfill() => Check("rm", "-f", $"{StoreDir}/filler");

    public long FreeBytes()
    {
        var parts = Check("stat", "-f", "-c", "%a %S", StoreDir).Split(' ', StringSplitOptions.TrimEntries);
        return long.Parse(parts[0], CultureInfo.InvariantCulture) * long.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    public void RemountReadOnly() => Check("mount", "-o", "remount,ro", StoreDir);

    /// <summary>The store's files as `ls -l` sees them, for failure messages.</summary>
    public string Listing() => Run("ls", ["-l", StoreDir]).StdOut;

    public string Diagnostics() => $"--- routerha:\n{Daemon?.LogTail(40)}\n--- store:\n{Listing()}";

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_owned)) d.Dispose();
        // The last process in the mount namespace gone, the tmpfs goes with it.
        _holder.Dispose();
        Router.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
