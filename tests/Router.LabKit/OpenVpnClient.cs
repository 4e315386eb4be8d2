using System.Globalization;

namespace Router.LabKit;

/// <summary>
/// A router's tunnel client: two shell scripts for routerha's `command` action. Start routes the VPS through the WAN
/// and runs the OpenVPN client in the background with a pid file (starting what runs is success); stop kills the
/// pid from that file and returns only once the process is gone, so "tunnel released" is true when it says so.
/// Both routers use the same identity (the one client certificate), like the one Glorytun key of an OMR pair.
/// Disposing kills a client left running: it outlives the daemon that started it and would outlive its namespace.
/// </summary>
public sealed class OpenVpnClient : IDisposable
{
    public char Router { get; }
    public string Dir { get; }
    public string StartScript => Path.Combine(Dir, "tunnel-start.sh");
    public string StopScript => Path.Combine(Dir, "tunnel-stop.sh");
    public string PidFile => Path.Combine(Dir, "openvpn.pid");
    public string LogFile => Path.Combine(Dir, "openvpn.log");

    private OpenVpnClient(char router, string dir)
    {
        Router = router;
        Dir = dir;
    }

    public static OpenVpnClient Create(HaTopology topology, OpenVpnServer server, char router)
    {
        var dir = Path.Combine(topology.WorkDir, $"tunnel-{router}");
        Directory.CreateDirectory(dir);
        var client = topology.Own(new OpenVpnClient(router, dir));
        var vps = HaTopology.VpsAddress.ToString();
        // A pid counts while it is an openvpn process that is not a zombie (the pid file outlives the client).
        const string alive = "alive() { case \"$(cut -d' ' -f2,3 /proc/$1/stat 2>/dev/null)\" in '(openvpn) Z') return 1;; '(openvpn) '*) return 0;; *) return 1;; esac; }\n";
        var start = "#!/bin/sh\n" + alive
            + $"if [ -s '{client.PidFile}' ] && alive \"$(cat '{client.PidFile}')\"; then exit 0; fi\n"
            + $"ip route replace {vps}/32 via {HaTopology.WanGateway(router)} dev {HaTopology.WanInterface} || exit 1\n"
            + $"openvpn --client --dev tun0 --proto tcp-client --remote {vps} {OpenVpnServer.Port.ToString(CultureInfo.InvariantCulture)}"
            + $" --ca '{server.Ca.CaCert}' --cert '{server.Ca.ClientCert}' --key '{server.Ca.ClientKey}' --verify-x509-name {vps} name"
            + $" --connect-retry 1 1 --keepalive 1 4 --verb 3 --daemon --writepid '{client.PidFile}' --log-append '{client.LogFile}'"
            + " </dev/null >/dev/null 2>&1 || exit 1\n"
            // The daemonized child writes the pid file after the parent returned: done only once it is there, so a
            // stop right after this start always finds the client.
            + "i=0\n"
            + $"until [ -s '{client.PidFile}' ] && alive \"$(cat '{client.PidFile}')\"; do\n"
            + "  i=$((i+1)); [ $i -gt 15 ] && exit 1; sleep 0.1\n"
            + "done\n";
        var stop = "#!/bin/sh\n" + alive
            + $"[ -s '{client.PidFile}' ] || exit 0\n"
            + $"p=$(cat '{client.PidFile}')\n"
            + "if alive \"$p\"; then\n"
            + "  kill \"$p\"\n"
            + "  i=0; while alive \"$p\" && [ $i -lt 15 ]; do sleep 0.1; i=$((i+1)); done\n"
            + "  if alive \"$p\"; then kill -9 \"$p\"; fi\n"
            + "fi\n"
            + $"rm -f '{client.PidFile}'\n";
        foreach (var (path, text) in new[] { (client.StartScript, start), (client.StopScript, stop) })
        {
            File.WriteAllText(path, text);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return client;
    }

    /// <summary>The running client's pid, or null (no pid file, or the process is gone).</summary>
    public int? Pid
    {
        get
        {
            try
            {
                if (!int.TryParse(File.ReadAllText(PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return null;
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // "PID (comm) STATE ...": a zombie is a dead client not yet reaped.
                return stat.Contains("(openvpn) ", StringComparison.Ordinal) && !stat.Contains("(openvpn) Z", StringComparison.Ordinal) ? pid : null;
            }
            catch (IOException) { return null; }
        }
    }

    public bool IsRunning => Pid is not null;

    /// <summary>SIGKILL, as a power loss ends it: the kernel still closes its TCP connection, so the VPS sees it end.</summary>
    public void Kill()
    {
        if (Pid is { } pid) Native.Kill(pid, Native.SIGKILL);
    }

    /// <summary>
    /// How often this client was pushed out while alive (the server closed its session for another client with the
    /// same identity). Unlike the server's count, a dead client's leftover session being replaced does not count.
    /// </summary>
    public int PushedOut => File.Exists(LogFile)
        ? File.ReadLines(LogFile).Count(l => l.Contains("Connection reset, restarting", StringComparison.Ordinal))
        : 0;

    public string LogTail(int lines = 8)
    {
        if (!File.Exists(LogFile)) return "(no client log)";
        var all = File.ReadAllLines(LogFile);
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public void Dispose() => Kill();
}
