namespace Router.Daemon.Tests;

/// <summary>
/// `routerha setup omr` as the admin runs it, on a UCI tree in a temp directory (--root): --dry-run writes nothing,
/// a hand-edited file is kept unless --force, router b takes router a's key. The tree has no VPN, proxy, VPS or DHCP
/// so its file uses only kinds every branch's loader knows (the full trees are in Router.Core.Tests/Setup).
/// </summary>
public sealed class SetupCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("routerha-setup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Tree(string lanAddress) => $"""
        config interface 'lan'
        	option device 'br-lan'
        	option proto 'static'
        	option ipaddr '{lanAddress}'
        	option netmask '255.255.255.0'

        config interface 'wan1'
        	option device 'eth1'
        	option proto 'dhcp'
        	option multipath 'master'

        """;

    private string MakeRouter(string name, string lanAddress)
    {
        var root = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(root, "etc/config"));
        File.WriteAllText(Path.Combine(root, "etc/config/network"), Tree(lanAddress));
        File.WriteAllText(Path.Combine(root, "etc/config/openmptcprouter"), "config settings 'settings'\n\toption vpn 'none'\n\toption proxy 'none'\n");
        return root;
    }

    private static (int Code, string Out, string Err) Setup(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = SetupCommand.Run(["omr", .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string[] A(string root, params string[] more) =>
        ["--router", "a", "--vip", "192.168.100.254/24", "--peer", "192.168.100.2", "--root", root, .. more];

    private static string Config(string root) => Path.Combine(root, "etc/config/routerha");
    private static string Key(string root) => Path.Combine(root, "etc/routerha/peer.key");

    [Fact]
    public void DryRunPrintsTheFileAndTheKeyItWouldMakeAndWritesNothing()
    {
        var a = MakeRouter("a", "192.168.100.1");
        var before = Directory.GetFileSystemEntries(a, "*", SearchOption.AllDirectories).Order().ToList();
        var (code, stdout, stderr) = Setup(A(a, "--dry-run"));
        Assert.True(code == 0, stderr);
        Assert.Contains("dry run, nothing is written", stdout);
        Assert.Contains("generate secret /etc/routerha/peer.key (new random key, mode 0600)", stdout);
        Assert.Contains("list path 'lan 192.168.100.1 192.168.100.2'", stdout);
        Assert.Contains("scp /etc/routerha/peer.key root@192.168.100.2:/tmp/peer.key", stdout);
        Assert.Equal(before, Directory.GetFileSystemEntries(a, "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public void ARunWritesFileAndKeyRewritesItsOwnOutputButKeepsAnEditUnlessForce()
    {
        var a = MakeRouter("a", "192.168.100.1");
        var first = Setup(A(a));
        Assert.True(first.Code == 0, first.Err);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Key(a)));
        var key = File.ReadAllText(Key(a));
        Assert.StartsWith("# Written by `routerha setup omr --router a`", File.ReadAllText(Config(a)), StringComparison.Ordinal);

        // Its own unchanged output is rewritten (here with another VRID); the key is reused, never replaced.
        var again = Setup(A(a, "--vrid", "60"));
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("reuse secret /etc/routerha/peer.key", again.Out);
        Assert.Contains("option vrid '60'", File.ReadAllText(Config(a)));
        Assert.Equal(key, File.ReadAllText(Key(a)));

        File.AppendAllText(Config(a), "\tlist vip '192.168.100.253/24'\n");
        var edited = File.ReadAllText(Config(a));
        var refused = Setup(A(a));
        Assert.Equal(1, refused.Code);
        Assert.Contains($"{Config(a)} was edited by hand", refused.Err);
        Assert.Contains("--force", refused.Err);
        Assert.Equal(edited, File.ReadAllText(Config(a)));

        var forced = Setup(A(a, "--force"));
        Assert.True(forced.Code == 0, forced.Err);
        Assert.DoesNotContain("192.168.100.253", File.ReadAllText(Config(a)));
        Assert.Equal(key, File.ReadAllText(Key(a)));
    }

    [Fact]
    public void TheShippedDefaultIsReplacedWithoutForce()
    {
        var a = MakeRouter("a", "192.168.100.1");
        File.Copy(Path.Combine(RepoRoot(), "openwrt-feed/net/routerha/files/routerha.config"), Config(a));
        var (code, _, stderr) = Setup(A(a));
        Assert.True(code == 0, stderr);
        Assert.Contains("option enabled '1'", File.ReadAllText(Config(a)));
    }

    [Fact]
    public void RouterBTakesRouterAsKeyAndTheirFilesMirrorEachOther()
    {
        var a = MakeRouter("a", "192.168.100.1");
        var b = MakeRouter("b", "192.168.100.2");
        Assert.Equal(0, Setup(A(a)).Code);
        string[] bArgs = ["--router", "b", "--vip", "192.168.100.254/24", "--peer", "192.168.100.1", "--root", b];

        var noKey = Setup(bArgs);
        Assert.Equal(1, noKey.Code);
        Assert.Contains("scp /etc/routerha/peer.key root@192.168.100.2:/tmp/peer.key", noKey.Err);
        Assert.False(File.Exists(Config(b)));

        // As scp leaves it in /tmp on router b.
        var copy = Path.Combine(_root, "peer.key");
        File.Copy(Key(a), copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var made = Setup([.. bArgs, "--secret-file", copy]);
        Assert.True(made.Code == 0, made.Err);
        Assert.Equal(File.ReadAllText(Key(a)), File.ReadAllText(Key(b)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Key(b)));
        var fileB = File.ReadAllText(Config(b));
        Assert.Contains("list path 'lan 192.168.100.2 192.168.100.1'", fileB);
        Assert.Contains("option priority '100'", fileB);
        Assert.Contains("option priority '150'", File.ReadAllText(Config(a)));

        // Another key over the installed one needs --force.
        var other = Path.Combine(_root, "other.key");
        File.WriteAllText(other, Router.Peers.PeerSecret.Generate() + "\n");
        File.SetUnixFileMode(other, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var clash = Setup([.. bArgs, "--secret-file", other]);
        Assert.Equal(1, clash.Code);
        Assert.Contains("holds another key", clash.Err);
        Assert.Equal(File.ReadAllText(Key(a)), File.ReadAllText(Key(b)));
    }

    [Fact]
    public void MissingUciAndBadArgumentsAreRefusedWithWhatToDo()
    {
        var plain = MakeRouter("plain", "192.168.100.1");
        File.Delete(Path.Combine(plain, "etc/config/openmptcprouter"));
        var notOmr = Setup(A(plain, "--dry-run"));
        Assert.Equal(1, notOmr.Code);
        Assert.Contains("etc/config/openmptcprouter: not found (this is not an OpenMPTCProuter", notOmr.Err);

        var a = MakeRouter("a", "192.168.100.1");
        var noVip = SetupCommand.Run(["omr", "--router", "a", "--peer", "192.168.100.2", "--root", a], new StringWriter(), new StringWriter());
        Assert.Equal(2, noVip);
        var ownVip = Setup(["--router", "a", "--vip", "192.168.100.1", "--peer", "192.168.100.2", "--root", a]);
        Assert.Equal(2, ownVip.Code);
        Assert.Contains("this router's own LAN address", ownVip.Err);
        Assert.False(File.Exists(Config(a)));
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Router.sln"))) return d.FullName;
        throw new InvalidOperationException("no Router.sln above the test");
    }
}
