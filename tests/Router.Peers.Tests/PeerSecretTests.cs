using Router.Core.Config;
using Router.Peers;

namespace Router.Peers.Tests;

public sealed class PeerSecretTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("routerha-key-").FullName;

    [Fact]
    public void AGeneratedKeyIsAcceptedByTheConfigRuleAndIsNewEachTime()
    {
        var one = PeerSecret.Generate();
        Assert.Null(PeerSecretRule.Problem(one));
        Assert.Equal(32, Convert.FromBase64String(one).Length);
        Assert.NotEqual(one, PeerSecret.Generate());
        Assert.Equal("(secret)", PeerSecret.FromText(one).ToString());
    }

    [Fact]
    public void AKeyFileIsWrittenPrivateNeverOverwrittenAndLoads()
    {
        var file = Path.Combine(_dir, "peer.key");
        PeerSecret.WriteNewKeyFile(file);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var before = File.ReadAllText(file);
        Assert.Throws<IOException>(() => PeerSecret.WriteNewKeyFile(file));
        Assert.Equal(before, File.ReadAllText(file));
        PeerSecret.FromFile(file);
    }

    [Fact]
    public void AKeyFileThroughASymlinkIsNotWritten()
    {
        var target = Path.Combine(_dir, "elsewhere");
        var link = Path.Combine(_dir, "peer.key");
        File.CreateSymbolicLink(link, target);
        Assert.Throws<IOException>(() => PeerSecret.WriteNewKeyFile(link));
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void AWorldReadableOrWeakKeyFileIsRefusedWithTheFix()
    {
        var file = Path.Combine(_dir, "peer.key");
        File.WriteAllText(file, PeerSecret.Generate() + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var open = Assert.Throws<UnauthorizedAccessException>(() => PeerSecret.FromFile(file));
        Assert.Contains($"chmod 600 {file}", open.Message);

        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(file, "hunter2\n");
        var weak = Assert.Throws<ArgumentException>(() => PeerSecret.FromFile(file));
        Assert.Contains("routerha genkey", weak.Message);
        Assert.DoesNotContain("hunter2", weak.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
