using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Router.Integrations.Actions;
using Router.Integrations.Health;

namespace Router.Integrations.Tests.Health;

/// <summary>Probes against real sockets and processes on this machine (loopback only; interface-bound pings are in the lab).</summary>
public sealed class ProbeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rha-probe-").FullName;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private string Script(string name, string body)
    {
        var path = Path.Combine(_dir, name);
        return Router.LabKit.ExecutableFile.Write(path, "#!/bin/sh\n" + body + "\n");
    }

    [Fact]
    public async Task TcpConnectsToAListenerAndReportsARefusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var up = await new TcpProbe(IPAddress.Loopback, port, null, IPAddress.Loopback).RunAsync(Timeout, CancellationToken.None);
        Assert.True(up.Ok, up.Detail);
        Assert.Equal($"connected to 127.0.0.1:{port}", up.Detail);

        listener.Stop();
        var down = await new TcpProbe(IPAddress.Loopback, port, null, null).RunAsync(Timeout, CancellationToken.None);
        Assert.False(down.Ok);
        Assert.Equal($"127.0.0.1:{port}: connection refused", down.Detail);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task PingGetsTheEchoReply(string address)
    {
        var probe = new PingProbe(IPAddress.Parse(address), "lo", null);
        var r = await probe.RunAsync(Timeout, CancellationToken.None);
        Assert.True(r.Ok, r.Detail);
        Assert.StartsWith($"reply from {address}", r.Detail);
        Assert.InRange(r.Elapsed, TimeSpan.Zero, Timeout);
    }

    [Fact]
    public async Task PingBoundToAMissingDeviceFailsWithTheReason()
    {
        var r = await new PingProbe(IPAddress.Loopback, "nosuch0", null).RunAsync(Timeout, CancellationToken.None);
        Assert.False(r.Ok);
        Assert.Equal("cannot bind to nosuch0: no such device", r.Detail);
    }

    [Fact]
    public async Task ProcessByPidFileFollowsTheProcess()
    {
        var pidFile = Path.Combine(_dir, "p.pid");
        using var p = Process.Start("sleep", "30");
        File.WriteAllText(pidFile, $"{p.Id}\n");
        var probe = ProcessProbe.ByPidFile(pidFile);
        Assert.Equal((true, $"pid {p.Id} running"), Result(await probe.RunAsync(Timeout, CancellationToken.None)));
        p.Kill();
        await p.WaitForExitAsync();
        Assert.Equal((false, $"pid {p.Id} (from {pidFile}) not running"), Result(await probe.RunAsync(Timeout, CancellationToken.None)));
        File.Delete(pidFile);
        Assert.Equal((false, $"{pidFile}: missing"), Result(await probe.RunAsync(Timeout, CancellationToken.None)));
    }

    [Fact]
    public async Task ProcessByNameFindsARunningProcessByItsComm()
    {
        // A copy of sleep under a name no other process has.
        var name = "rha" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(5));
        var binary = Path.Combine(_dir, name);
        Router.LabKit.ExecutableFile.Copy("/bin/sleep", binary, "0500");
        var probe = ProcessProbe.ByName(name);
        Assert.Equal((false, $"no process named {name}"), Result(await probe.RunAsync(Timeout, CancellationToken.None)));
        using var p = Process.Start(binary, "30");
        try
        {
            Assert.Equal((true, $"{name} running as pid {p.Id}"), Result(await probe.RunAsync(Timeout, CancellationToken.None)));
        }
        finally
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task ScriptIsUpOnExitCodeZeroAndKilledPastTheTimeout()
    {
        var runner = new CommandRunner("/usr/bin:/bin");
        var ok = await new ScriptProbe(Script("ok.sh", "exit 0"), runner).RunAsync(Timeout, CancellationToken.None);
        Assert.Equal((true, "exit code 0"), Result(ok));
        var bad = await new ScriptProbe(Script("bad.sh", "echo no route >&2; exit 3") + " arg", runner).RunAsync(Timeout, CancellationToken.None);
        Assert.Equal((false, "exit code 3: no route"), Result(bad));

        var hang = await new ScriptProbe(Script("hang.sh", "exec sleep 30"), runner).RunAsync(TimeSpan.FromSeconds(0.3), CancellationToken.None);
        Assert.Equal((false, "no answer within 0.3 s"), Result(hang));
        Assert.InRange(hang.Elapsed, TimeSpan.FromSeconds(0.3), TimeSpan.FromSeconds(5));
    }

    private static (bool, string) Result(ProbeResult r) => (r.Ok, r.Detail);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
