using System.Globalization;
using System.Net;

namespace Router.LabKit;

/// <summary>
/// The stand-in for the OMR VPS's Glorytun server: the real OpenVPN server (TCP, TUN) with ONE client identity and
/// no duplicate-cn, so a second client with that identity pushes the first one out, as Glorytun does. The server's
/// client-connect / client-disconnect hooks append every session it sees (real address, start, end) to a ledger.
/// </summary>
public sealed class OpenVpnServer : IDisposable
{
    public const int Port = 1194;
    /// <summary>The server's own address inside the tunnel: ping it through tun0 to prove the tunnel end to end.</summary>
    public static readonly IPAddress TunnelAddress = IPAddress.Parse("10.255.0.1");
    /// <summary>The common name of the one client identity (<see cref="TestCa"/>'s client certificate).</summary>
    public const string ClientName = "routerha-test-client";
    private const string KickMarker = "will cause previous active sessions by this client to be dropped";

    private readonly LabProcess _process;
    private readonly string _ledger;

    /// <summary>Certificates: server for <see cref="HaTopology.VpsAddress"/> and the one client identity.</summary>
    public TestCa Ca { get; }

    private OpenVpnServer(LabProcess process, string ledger, TestCa ca)
    {
        _process = process;
        _ledger = ledger;
        Ca = ca;
    }

    /// <summary>Starts the server in the VPS namespace and waits until it listens (bounded).</summary>
    public static async Task<OpenVpnServer> StartAsync(HaTopology topology, CancellationToken ct = default)
    {
        var ca = topology.Own(TestCa.Create(HaTopology.VpsAddress.ToString()));
        var dir = Path.Combine(topology.WorkDir, "vps");
        Directory.CreateDirectory(dir);
        var ledger = Path.Combine(dir, "sessions");
        File.WriteAllText(ledger, "");
        // The LAN is behind whichever router holds the tunnel: the one identity's iroute, and the VPS's route back.
        var ccd = Path.Combine(dir, "ccd");
        Directory.CreateDirectory(ccd);
        File.WriteAllText(Path.Combine(ccd, ClientName), "iroute 10.77.0.0 255.255.255.0\n");
        var hook = Path.Combine(dir, "session-hook.sh");
        // Wall-clock nanoseconds: the same clock the tests read, so sessions line up with the tests' own timestamps.
        File.WriteAllText(hook, $"#!/bin/sh\necho \"$script_type $(date +%s.%N) $trusted_ip $common_name\" >> '{ledger}'\nexit 0\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string[] args =
        [
            "--mode", "server", "--tls-server", "--proto", "tcp-server", "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--local", HaTopology.VpsAddress.ToString(), "--dev", "tun0", "--topology", "subnet",
            "--ifconfig", TunnelAddress.ToString(), "255.255.255.0", "--ifconfig-pool", "10.255.0.2", "10.255.0.9", "255.255.255.0",
            "--ca", ca.CaCert, "--cert", ca.ServerCert, "--key", ca.ServerKey, "--dh", "none",
            "--push", "topology subnet", "--client-config-dir", ccd,
            "--script-security", "2", "--client-connect", hook, "--client-disconnect", hook,
            "--keepalive", "1", "4", "--verb", "3",
        ];
        var process = topology.Own(LabProcess.Start(topology.Vps, "openvpn", args));
        var server = new OpenVpnServer(process, ledger, ca);
        await Wait.UntilAsync(() => process.Log.Contains("Initialization Sequence Completed", StringComparison.Ordinal) || process.HasExited,
            TimeSpan.FromSeconds(10), "the OpenVPN server to listen", () => process.LogTail(), ct).ConfigureAwait(false);
        if (process.HasExited) throw new InvalidOperationException($"OpenVPN server exited:\n{process.LogTail()}");
        topology.Vps.Ip("route", "add", "10.77.0.0/24", "dev", "tun0");
        return server;
    }

    /// <summary>Every session so far, in the order the server opened them; <c>End</c> null while it lasts.</summary>
    public IReadOnlyList<VpsSession> Sessions() => VpsSession.ParseLedger(File.ReadAllText(_ledger));

    /// <summary>The session open now, or null.</summary>
    public VpsSession? Current => Sessions().LastOrDefault(s => s.End is null);

    /// <summary>
    /// How often a new session replaced an open one: a second live client, or a client that died where its FIN could
    /// not reach the server (see <see cref="OpenVpnClient.PushedOut"/> for the live ones).
    /// </summary>
    public int ReplacedSessions => _process.Log.Split('\n').Count(l => l.Contains(KickMarker, StringComparison.Ordinal));

    public string Diagnostics(int lines = 15) =>
        $"--- VPS sessions:\n{string.Join('\n', Sessions())}\n--- OpenVPN server log tail:\n{_process.LogTail(lines)}";

    public void Dispose() => _process.Dispose();
}
