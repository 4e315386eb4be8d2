using System.Text;
using System.Text.Json;
using Router.Daemon.Control;
using Router.Daemon.Rpcd;

namespace Router.Daemon.Tests;

/// <summary>`routerha rpcd call`: what LuCI (through rpcd) sends is checked before the daemon hears of it, and every
/// answer is one JSON object, whatever came in and whatever the daemon said.</summary>
public sealed class RpcdTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("routerha-rpcd-").FullName;
    private readonly List<ControlRequest> _sent = [];
    private Func<ControlRequest, ControlResponse> _daemon = r => new ControlResponse(true, Message: $"did {r.Cmd}");

    public RpcdTests()
    {
        File.WriteAllText(ConfigPath, """
            config global
            	option control_socket '/nonexistent/routerha.sock'

            config instance 'lan'
            	option interface 'br-lan'

            config instance 'wan_v6'
            	option interface 'eth1'
            	option vrid 'not a number, the lenient read still finds the name'

            """);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ConfigPath => Path.Combine(_dir, "routerha");
    private string KeyDir => Path.Combine(_dir, "keys");

    private RpcdContext Context => new(ConfigPath, KeyDir, (request, _) =>
    {
        _sent.Add(request);
        return _daemon(request);
    });

    private JsonElement Call(string method, string input) => Call(method, Encoding.UTF8.GetBytes(input));

    private JsonElement Call(string method, byte[] input)
    {
        var text = RpcdMethods.Call(method, input, Context);
        Assert.DoesNotContain('\n', text);
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        return root.Clone();
    }

    private static string Refused(JsonElement answer)
    {
        Assert.False(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        var error = answer.GetProperty("error").GetString();
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }

    [Fact]
    public void ListGivesEveryMethodWithTheSampleValuesRpcdTurnsIntoArgumentTypes()
    {
        var list = JsonDocument.Parse(RpcdMethods.List()).RootElement;
        Assert.Equal(
            """{"status":{},"leases":{},"switchover":{"instance":"str"},"maintenance":{"on":true},"genkey":{"file":"str"}}""",
            list.GetRawText());
    }

    [Theory]
    [InlineData("""{"instance":""}""", "empty")]
    [InlineData("""{"instance":"a\u0001b"}""", "not an instance name")]
    [InlineData("""{"instance":"lan; reboot"}""", "not an instance name")]
    [InlineData("""{"instance":"wan"}""", "no instance named 'wan'")]
    [InlineData("""{"instance":"LAN"}""", "no instance named 'LAN'")]
    [InlineData("""{"instance":null}""", "must be a string")]
    [InlineData("""{"instance":1}""", "must be a string")]
    [InlineData("""{"instance":["lan"]}""", "must be a string")]
    [InlineData("""{"instance":"lan","force":true}""", "unknown argument 'force'")]
    [InlineData("""{"instance":"wan","instance":"lan"}""", "twice")]
    [InlineData("""[]""", "must be a JSON object")]
    [InlineData("""["lan"]""", "must be a JSON object")]
    [InlineData("\"lan\"", "must be a JSON object")]
    [InlineData("null", "must be a JSON object")]
    [InlineData("instance=lan", "not a JSON object")]
    [InlineData("""{"instance":"lan" """, "not a JSON object")]
    [InlineData("", "not a JSON object")]
    [InlineData("{} {}", "not a JSON object")]
    public void OddSwitchoverArgumentsAreRefusedWithoutAskingTheDaemon(string input, string reason)
    {
        var error = Refused(Call("switchover", input));
        Assert.Contains(reason, error);
        Assert.Empty(_sent);
    }

    [Fact]
    public void AnUnknownNameIsAnsweredWithTheConfiguredOnes()
    {
        var error = Refused(Call("switchover", """{"instance":"wan"}"""));
        Assert.Contains("configured: lan, wan_v6", error);
    }

    [Fact]
    public void HugeArgumentsAreRefusedWithoutAskingTheDaemon()
    {
        var huge = Encoding.UTF8.GetBytes($$"""{"instance":"{{new string('a', 1 << 20)}}"}""");
        Assert.Contains("larger than", Refused(Call("switchover", huge)));
        Assert.Empty(_sent);
    }

    [Fact]
    public void ANamedInstanceIsHandedOverAloneAndNoInstanceMeansAll()
    {
        var one = Call("switchover", """{"instance":"wan_v6"}""");
        Assert.True(one.GetProperty("ok").GetBoolean());
        Assert.Equal("did switchover", one.GetProperty("message").GetString());
        var all = Call("switchover", "{ }");
        Assert.True(all.GetProperty("ok").GetBoolean());
        Assert.Equal([("switchover", "wan_v6"), ("switchover", null)], _sent.Select(r => (r.Cmd, r.Instance)));
    }

    [Theory]
    [InlineData("""{}""", "needs")]
    [InlineData("""{"on":"true"}""", "must be true or false")]
    [InlineData("""{"on":1}""", "must be true or false")]
    [InlineData("""{"on":true,"instance":"lan"}""", "unknown argument 'instance'")]
    public void MaintenanceNeedsABoolean(string input, string reason)
    {
        Assert.Contains(reason, Refused(Call("maintenance", input)));
        Assert.Empty(_sent);
    }

    [Fact]
    public void MaintenanceOnAndOffReachTheDaemon()
    {
        Assert.True(Call("maintenance", """{"on":true}""").GetProperty("ok").GetBoolean());
        Assert.True(Call("maintenance", """{"on":false}""").GetProperty("ok").GetBoolean());
        Assert.Equal([("maintenance", (bool?)true), ("maintenance", false)], _sent.Select(r => (r.Cmd, r.On)));
    }

    [Fact]
    public void ControlCharactersInTheDaemonsWordsStayInsideTheJsonString()
    {
        const string nasty = "handed over lan\"}\n{\"ok\":true\u0001\u001b[2J\\";
        _daemon = _ => new ControlResponse(true, Message: nasty);
        Assert.Equal(nasty, Call("switchover", "{}").GetProperty("message").GetString());
        _daemon = _ => new ControlResponse(false, nasty);
        Assert.Equal(nasty, Refused(Call("maintenance", """{"on":true}""")));
    }

    [Fact]
    public void ADaemonThatCannotBeReachedGivesAnErrorObject()
    {
        _daemon = _ => throw new IOException("cannot reach routerha at /var/run/routerha.sock: No such file");
        Assert.Contains("cannot reach routerha", Refused(Call("status", "{}")));
        _daemon = _ => throw new OperationCanceledException();
        Assert.Contains("did not answer in time", Refused(Call("switchover", "{}")));
        _daemon = _ => throw new JsonException("'x' is invalid");
        Assert.Contains("invalid", Refused(Call("maintenance", """{"on":false}""")));
    }

    [Fact]
    public void StatusIsTheStatusReportItself()
    {
        _daemon = _ => new ControlResponse(true, Status: new StatusReport("node-a", "1.0", 42, 1, ConfigPath, false, [],
            new NotifyStatus(0, 0, 0), ["mqtt"]));
        var status = Call("status", "{}");
        Assert.Equal(("node-a", 42, false), (status.GetProperty("node").GetString(), status.GetProperty("pid").GetInt32(),
            status.GetProperty("maintenance").GetBoolean()));
        Assert.False(status.TryGetProperty("ok", out _));
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("Status")]
    [InlineData("reload")]
    [InlineData("status\u0001")]
    public void UnknownMethodsAreRefused(string method)
    {
        Assert.Contains("unknown method", Refused(Call(method, "{}")));
        Assert.Empty(_sent);
    }

    [Fact]
    public void LeasesWithoutALeaseSectionIsAnErrorObject() =>
        Assert.Contains("no 'config leases' section", Refused(Call("leases", "{}")));

    [Fact]
    public void GenkeyWritesAnOwnerOnlyKeyInTheKeyDirectoryAndNeverOverwritesIt()
    {
        var made = Call("genkey", "{}");
        Assert.True(made.GetProperty("ok").GetBoolean(), made.ToString());
        var file = Path.Combine(KeyDir, "peer.key");
        Assert.Equal(file, made.GetProperty("file").GetString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(file).Trim()).Length);
        var key = File.ReadAllText(file);

        Assert.Contains("not overwritten", Refused(Call("genkey", "{}")));
        Assert.Contains("not overwritten", Refused(Call("genkey", $$"""{"file":"{{file}}"}""")));
        Assert.Equal(key, File.ReadAllText(file));

        var named = Call("genkey", """{"file":"router_b.key"}""");
        Assert.Equal(Path.Combine(KeyDir, "router_b.key"), named.GetProperty("file").GetString());
        Assert.Empty(_sent);
    }

    [Theory]
    [InlineData("../escaped.key")]
    [InlineData("sub/escaped.key")]
    [InlineData("/tmp/escaped.key")]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("a\u0001.key")]
    public void GenkeyWritesNowhereElse(string file)
    {
        var answer = Call("genkey", JsonSerializer.Serialize(new Dictionary<string, string> { ["file"] = file },
            RpcdTestJson.Default.DictionaryStringString));
        Refused(answer);
        Assert.False(File.Exists(Path.Combine(_dir, "escaped.key")));
        Assert.False(File.Exists("/tmp/escaped.key"));
        Assert.False(Directory.Exists(KeyDir) && Directory.EnumerateFileSystemEntries(KeyDir).Any(), "a file was written");
    }

    [Fact]
    public void GenkeyDoesNotWriteThroughASymlink()
    {
        Directory.CreateDirectory(KeyDir);
        var target = Path.Combine(_dir, "target");
        File.CreateSymbolicLink(Path.Combine(KeyDir, "peer.key"), target);
        Assert.Contains("not overwritten", Refused(Call("genkey", "{}")));
        Assert.False(File.Exists(target));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class RpcdTestJson : System.Text.Json.Serialization.JsonSerializerContext
{
}
