using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Router.LabKit;

namespace Router.Lab.Tests;

/// <summary>`routerha rpcd call` as rpcd runs it (arguments on stdin) against a real pair in namespaces: odd input
/// moves nothing and is answered with a JSON error object; a good call moves the VIP.</summary>
[Collection(LabCollection.Name)]
public sealed class RpcdLabTests
{
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);

    private static PairLab Create() => PairLab.Create(DaemonKind.RouterHa,
        VrrpSettings.For(150, Advert) with { Preempt = false }, VrrpSettings.For(100, Advert) with { Preempt = false });

    /// <summary>The verb as rpcd's exec plugin call runs it: argv `rpcd call METHOD`, the JSON on stdin, then EOF.</summary>
    private static JsonElement Rpcd(RouterHaNode node, string method, byte[] input)
    {
        var psi = new ProcessStartInfo(RouterHaBinary.Require())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["rpcd", "call", method, "-c", node.ConfigPath]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            p.StandardInput.BaseStream.Write(input);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // It stopped reading at its limit and exited: the answer says why.
        }
        if (!p.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"routerha rpcd call {method} did not finish");
        }
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {stderr.Result}");
        var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line of JSON, got: {stdout.Result}");
        var root = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        return root.Clone();
    }

    private static JsonElement Rpcd(RouterHaNode node, string method, string input) => Rpcd(node, method, Encoding.UTF8.GetBytes(input));

    [Fact]
    public async Task OddArgumentsMoveNothingAndAGoodSwitchoverMovesTheVip()
    {
        using var cts = LabAssert.Budget();
        using var lab = Create();
        await lab.StartAndElectAsync(cts.Token);
        var a = (RouterHaNode)lab.A;

        var status = Rpcd(a, "status", "{}");
        var lan = status.GetProperty("instances").EnumerateArray().Single();
        Assert.Equal(("lan", "MASTER"), (lan.GetProperty("name").GetString(), lan.GetProperty("state").GetString()));

        var before = a.Instance();
        var odd = new Dictionary<string, byte[]>
        {
            ["empty instance"] = """{"instance":""}"""u8.ToArray(),
            ["control character"] = """{"instance":"a\u0001b"}"""u8.ToArray(),
            ["raw control character"] = Encoding.UTF8.GetBytes("{\"instance\":\"la\u0001n\"}"),
            ["unknown instance"] = """{"instance":"wan"}"""u8.ToArray(),
            ["huge stdin"] = Encoding.UTF8.GetBytes($$"""{"instance":"{{new string('l', 4 << 20)}}"}"""),
            ["not JSON"] = "switchover please"u8.ToArray(),
            ["no input"] = [],
            ["array"] = """["lan"]"""u8.ToArray(),
            ["extra field"] = """{"instance":"lan","all":true}"""u8.ToArray(),
            ["number"] = """{"instance":51}"""u8.ToArray(),
        };
        foreach (var (what, input) in odd)
        {
            var answer = Rpcd(a, "switchover", input);
            Assert.False(answer.GetProperty("ok").GetBoolean(), $"{what}: {answer}");
            Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("error").GetString()), what);
        }
        var bad = Rpcd(a, "maintenance", """{"on":"yes"}""");
        Assert.False(bad.GetProperty("ok").GetBoolean(), bad.ToString());

        // Nothing of the above reached the daemon as a command: A is still MASTER, never handed over.
        var after = a.Instance();
        Assert.Equal(("MASTER", before.Counters.BecameMaster, false), (after.State, after.Counters.BecameMaster, after.Maintenance));
        Assert.Equal(before.Transitions.Count, after.Transitions.Count);
        Assert.Equal("BACKUP", lab.B.State);

        var ok = Rpcd(a, "switchover", """{"instance":"lan"}""");
        Assert.True(ok.GetProperty("ok").GetBoolean(), ok.ToString());
        Assert.Contains("lan", ok.GetProperty("message").GetString());
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.A.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        await LabAssert.VipOnlyOnAsync(lab, lab.B, lab.A, cts.Token);

        // The BACKUP has nothing to hand over: the daemon's refusal comes back as an error object.
        var again = Rpcd(a, "switchover", "{}");
        Assert.False(again.GetProperty("ok").GetBoolean(), again.ToString());
        Assert.Contains("not MASTER", again.GetProperty("error").GetString());
    }

    [Fact]
    public async Task MaintenanceThroughRpcdHandsOverAndBack()
    {
        using var cts = LabAssert.Budget();
        using var lab = PairLab.Create(DaemonKind.RouterHa, VrrpSettings.For(150, Advert), VrrpSettings.For(100, Advert));
        await lab.StartAndElectAsync(cts.Token);
        var a = (RouterHaNode)lab.A;
        Assert.True(Rpcd(a, "maintenance", """{"on":true}""").GetProperty("ok").GetBoolean());
        await lab.B.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
        await lab.A.WaitForStateAsync("BACKUP", lab.ElectionTimeout, cts.Token);
        Assert.True(Rpcd(a, "status", "{}").GetProperty("maintenance").GetBoolean());
        Assert.True(Rpcd(a, "maintenance", """{"on":false}""").GetProperty("ok").GetBoolean());
        await lab.A.WaitForStateAsync("MASTER", lab.ElectionTimeout, cts.Token);
    }

    [Fact]
    public void StatusWithoutADaemonIsAnErrorObject()
    {
        var dir = Directory.CreateTempSubdirectory($"{LabRun.Prefix}-rpcd-").FullName;
        try
        {
            var config = Path.Combine(dir, "routerha");
            File.WriteAllText(config, $"config global\n\toption control_socket '{Path.Combine(dir, "none.sock")}'\n");
            var r = Shell.Run("/bin/sh", "-c", $"echo '{{}}' | '{RouterHaBinary.Require()}' rpcd call status -c '{config}'");
            Assert.Equal(0, r.ExitCode);
            var answer = JsonDocument.Parse(r.StdOut).RootElement;
            Assert.False(answer.GetProperty("ok").GetBoolean());
            Assert.Contains("none.sock", answer.GetProperty("error").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
