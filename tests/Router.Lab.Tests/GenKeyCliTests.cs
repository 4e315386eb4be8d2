using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>`routerha genkey` makes keys `check-config` accepts, as `secret_file` or pasted into `option secret`; it never
/// replaces a key file. Only the binary and a temp directory.</summary>
[Collection(LabCollection.Name)]
public sealed class GenKeyCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory($"{LabRun.Prefix}-genkey-").FullName;
    private readonly string _bin = RouterHaBinary.Require();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CommandResult CheckConfig(string secretOption)
    {
        var path = Path.Combine(_dir, "routerha");
        File.WriteAllText(path, $"""
            config instance 'lan'
            	option interface 'br-lan'
            	option vrid '51'
            	list vip '192.168.1.254/24'

            config peer 'router_b'
            	list path 'lan 192.168.1.1 192.168.1.2'
            	{secretOption}

            """);
        return Shell.Run(_bin, "check-config", "-c", path);
    }

    [Fact]
    public void AKeyFileIsWrittenOwnerOnlyAcceptedAsSecretFileAndNeverOverwritten()
    {
        var key = Path.Combine(_dir, "peer.key");
        var made = Shell.Run(_bin, "genkey", key);
        Assert.True(made.Ok, made.StdErr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        var content = File.ReadAllText(key);
        Assert.Equal(32, Convert.FromBase64String(content.Trim()).Length);

        var check = CheckConfig($"option secret_file '{key}'");
        Assert.True(check.Ok, check.StdOut + check.StdErr);

        var again = Shell.Run(_bin, "genkey", key);
        Assert.False(again.Ok);
        Assert.Contains("exists: not overwritten", again.StdErr, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(key));

        // The same file opened to others is refused, naming the fix.
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var open = CheckConfig($"option secret_file '{key}'");
        Assert.False(open.Ok);
        Assert.Contains($"chmod 600 {key}", open.StdOut + open.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void APrintedKeyIsAcceptedAsSecretWhereAPasswordIsNot()
    {
        var printed = Shell.Run(_bin, "genkey");
        Assert.True(printed.Ok, printed.StdErr);
        var key = printed.StdOut.Trim();
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        Assert.NotEqual(key, Shell.Run(_bin, "genkey").StdOut.Trim());

        var check = CheckConfig($"option secret '{key}'");
        Assert.True(check.Ok, check.StdOut + check.StdErr);

        var weak = CheckConfig("option secret 'correct horse battery staple'");
        Assert.False(weak.Ok);
        Assert.Contains("routerha genkey", weak.StdOut + weak.StdErr, StringComparison.Ordinal);
    }
}
