using System.Globalization;

namespace Router.LabKit;

/// <summary>
/// The lab's `fence_command` against one router, a STONITH stand-in: "power off" <c>target</c> — its daemon and its
/// tunnel client die (SIGKILL), then its WAN goes dark — and exit 0. With a non-zero <c>exitCode</c> it only records
/// the run and fails, touching nothing. Every run appends a line (with the environment routerha gave it) to
/// <see cref="LogFile"/>, so a test counts runs from outside.
/// </summary>
public sealed class FenceAgentScript
{
    private FenceAgentScript(string path, string pidFile, string logFile)
    {
        Path = path;
        PidFile = pidFile;
        LogFile = logFile;
    }

    public string Path { get; }

    /// <summary>The target daemon's pids, written by <see cref="Arm"/> once it runs.</summary>
    public string PidFile { get; }

    public string LogFile { get; }

    public static FenceAgentScript Create(HaTopology topology, char target, OpenVpnClient targetTunnel, int exitCode)
    {
        var dir = topology.WorkDir;
        var script = new FenceAgentScript(System.IO.Path.Combine(dir, $"fence-{target}.sh"), System.IO.Path.Combine(dir, $"fence-{target}.pids"),
            System.IO.Path.Combine(dir, $"fence-{target}.log"));
        var ns = topology.Router(target).Name;
        var exit = exitCode.ToString(CultureInfo.InvariantCulture);
        var text = $$"""
            #!/bin/sh
            echo "run peer=$ROUTERHA_PEER address=$ROUTERHA_PEER_ADDRESS addresses=$ROUTERHA_PEER_ADDRESSES" >> '{{script.LogFile}}'
            [ {{exit}} = 0 ] || exit {{exit}}
            pids="$(cat '{{script.PidFile}}' 2>/dev/null) $(cat '{{targetTunnel.PidFile}}' 2>/dev/null)"
            kill -9 $pids 2>/dev/null
            # Gone means no process or a zombie; bounded, like everything the agent does (routerha kills it at fence_timeout).
            i=0
            while [ $i -lt 100 ]; do
              alive=0
              for p in $pids; do [ -e /proc/$p/stat ] && ! grep -q ') Z' /proc/$p/stat && alive=1; done
              [ $alive = 0 ] && break
              sleep 0.02; i=$((i+1))
            done
            # The dead client's FIN must reach the VPS before the WAN goes dark, so the server sees its session end (a
            # power cut would leave a session the VPS replaces later, which says nothing about two live clients).
            i=0
            while [ $i -lt 100 ] && ip netns exec '{{ns}}' ss -Htn state established state fin-wait-1 dst {{HaTopology.VpsAddress}} | grep -q .; do
              sleep 0.02; i=$((i+1))
            done
            ip -n '{{ns}}' link set {{HaTopology.WanInterface}} down
            echo "fenced" >> '{{script.LogFile}}'
            exit 0
            """;
        File.WriteAllText(script.Path, text.Replace("\r", "", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(script.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    /// <summary>Names the running daemon the script kills.</summary>
    public void Arm(IReadOnlyList<int> daemonPids) =>
        File.WriteAllText(PidFile, string.Join(' ', daemonPids.Select(p => p.ToString(CultureInfo.InvariantCulture))) + "\n");

    /// <summary>The lines the runs wrote ("run ..." per run, "fenced" when it completed).</summary>
    public IReadOnlyList<string> Lines => File.Exists(LogFile) ? File.ReadAllLines(LogFile) : [];

    public int Runs => Lines.Count(l => l.StartsWith("run ", StringComparison.Ordinal));
}
