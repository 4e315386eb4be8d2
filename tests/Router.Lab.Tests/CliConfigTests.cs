using System.Globalization;
using System.Text.Json;
using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>
/// The CLI verbs beside the daemon read only the global and leases sections: a broken instance must not cost
/// dnsmasq its leases or hide the control socket from `routerha status`. Only the binary and a temp directory.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class CliConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory($"{LabRun.Prefix}-cli-").FullName;
    private readonly string _bin = RouterHaBinary.Require();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string text)
    {
        var path = Path.Combine(_dir, "routerha");
        File.WriteAllText(path, text);
        return path;
    }

    private string BrokenInstance(string global, string leases) => $"""
        config global
        {global}

        config instance 'lan'
        	option interface 'br-lan'
        	option vrid '300'
        	option prority '120'

        config leases
        {leases}

        """;

    [Fact]
    public void DhcpScriptStoresAndServesLeasesWhileAnInstanceSectionIsBroken()
    {
        var db = Path.Combine(_dir, "leases.db");
        var conf = Config(BrokenInstance($"\toption control_socket '{_dir}/ctl.sock'", $"\toption db_path '{db}'"));
        Assert.False(Shell.Run(_bin, "check-config", "-c", conf).Ok);

        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var add = Shell.Run(_bin, ["dhcp-script", "-c", conf, "add", "02:00:00:00:00:41", "10.77.0.41", "laptop"], null,
            new Dictionary<string, string> { ["DNSMASQ_LEASE_EXPIRES"] = expires });
        Assert.True(add.Ok, add.StdErr);
        // The instance's problems are the daemon's to report, not every dnsmasq call's.
        Assert.Equal("", add.StdErr);

        var init = Shell.Run(_bin, "dhcp-script", "-c", conf, "init");
        Assert.True(init.Ok, init.StdErr);
        Assert.Contains("02:00:00:00:00:41 10.77.0.41 laptop", init.StdOut);

        var leases = Shell.Run(_bin, "leases", "--json", "-c", conf);
        Assert.True(leases.Ok, leases.StdErr);
        using var rows = JsonDocument.Parse(leases.StdOut);
        Assert.Equal("10.77.0.41", rows.RootElement.EnumerateArray().Single().GetProperty("ip").GetString());
    }

    [Fact]
    public void StatusFindsTheConfiguredSocketDespiteABrokenInstance()
    {
        var socket = Path.Combine(_dir, "ctl.sock");
        var conf = Config(BrokenInstance($"\toption control_socket '{socket}'", ""));
        var r = Shell.Run(_bin, "status", "-c", conf);
        Assert.False(r.Ok);
        Assert.Contains($"cannot reach routerha at {socket}", r.StdErr);
        Assert.DoesNotContain("prority", r.StdErr);
    }

    [Fact]
    public void BadValuesInTheSectionsTheVerbsReadAreNamedWithFileAndLine()
    {
        var conf = Config(BrokenInstance("\toption control_socket 'ctl.sock'", "\toption db_path 'leases.db'"));
        // status: the default socket is tried (no daemon there in the lab) and the reason is named.
        var status = Shell.Run(_bin, "status", "-c", conf);
        Assert.False(status.Ok);
        Assert.Contains($"routerha: {conf}:2: control_socket 'ctl.sock' must be an absolute path (starting with /)", status.StdErr);
        Assert.Contains($"routerha: {conf}:10: db_path 'leases.db' must be an absolute path (starting with /)", status.StdErr);
        Assert.Contains("cannot reach routerha at /var/run/routerha.sock", status.StdErr);
        // The same lines check-config prints for them.
        var check = Shell.Run(_bin, "check-config", "-c", conf);
        Assert.Contains($"{conf}:2: control_socket 'ctl.sock' must be an absolute path", check.StdErr);
        Assert.Contains($"{conf}:10: db_path 'leases.db' must be an absolute path", check.StdErr);
    }

    [Fact]
    public void WithoutAConfigFileTheVerbsUseTheDefaults()
    {
        var missing = Path.Combine(_dir, "absent");
        var leases = Shell.Run(_bin, "leases", "-c", missing);
        Assert.Equal(1, leases.ExitCode);
        Assert.Equal($"routerha: no 'config leases' section in {missing}: leases are not kept\n", leases.StdErr);
        var status = Shell.Run(_bin, "status", "-c", missing);
        Assert.False(status.Ok);
        Assert.StartsWith("routerha: cannot reach routerha at /var/run/routerha.sock", status.StdErr);
    }
}
