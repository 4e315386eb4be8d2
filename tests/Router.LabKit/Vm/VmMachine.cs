using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Router.LabKit.Vm;

/// <summary>
/// One QEMU virtual machine: booted from the image plus its own files, driven through its serial console,
/// powered off hard through QMP. Dispose kills the QEMU process (by its pid) if it still runs.
/// </summary>
public sealed class VmMachine : IDisposable
{
    // Every QEMU still running, so an aborted test run (Ctrl-C, test host shutdown) still powers them off.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Process> Running = new();

    static VmMachine() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var p in Running.Values)
            try { p.Kill(); } catch (InvalidOperationException) { }
    };

    private readonly Process _qemu;
    private readonly StringBuilder _qemuOutput = new();

    public VmSpec Spec { get; }
    public string Name => Spec.Name;
    public string ConsoleLog { get; }
    public VmConsole Console { get; private set; } = null!;
    private readonly string _qmpPath;

    private VmMachine(VmSpec spec, Process qemu, string consoleLog, string qmpPath)
    {
        Spec = spec;
        _qemu = qemu;
        ConsoleLog = consoleLog;
        _qmpPath = qmpPath;
    }

    public bool Exited => _qemu.HasExited;
    public int Pid => _qemu.Id;

    /// <summary>Starts QEMU and waits until /init reported the VM ready and the console shell answers.</summary>
    public static async Task<VmMachine> BootAsync(VmSpec spec, string runDir, TimeSpan timeout)
    {
        spec.Arch.RequireImage();
        var dir = Directory.CreateDirectory(Path.Combine(runDir, $"{spec.Name}-{Guid.NewGuid().ToString("N")[..6]}")).FullName;
        var initrd = BuildInitrd(spec, dir);
        var consoleSock = Path.Combine(dir, "console.sock");
        var qmpSock = Path.Combine(dir, "qmp.sock");
        var consoleLog = Path.Combine(dir, "console.log");

        var psi = new ProcessStartInfo(spec.Arch.Qemu) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[.. spec.Arch.Machine, "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                     "-m", spec.MemoryMb.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-kernel", spec.Arch.Kernel, "-initrd", initrd,
                     "-append", $"console={spec.Arch.Console} quiet panic=-1",
                     // wait=on: the guest does not run until the harness is connected, so no console byte is lost.
                     "-chardev", $"socket,id=con,path={consoleSock},server=on,wait=on,logfile={consoleLog}",
                     "-serial", "chardev:con",
                     "-qmp", $"unix:{qmpSock},server=on,wait=off"])
            psi.ArgumentList.Add(a);
        for (var i = 0; i < spec.Nics.Count; i++)
        {
            var nic = spec.Nics[i];
            psi.ArgumentList.Add("-netdev");
            // localaddr=127.0.0.1 keeps the segment on loopback (else the host joins the group on its real NIC).
            psi.ArgumentList.Add(nic.HostService is { } hs
                ? $"user,id=n{i},restrict=on,net=10.0.2.0/24,guestfwd=tcp:{hs.GuestAddress}:{hs.GuestPort}-cmd:busybox nc 127.0.0.1 {hs.HostPort}"
                : $"socket,id=n{i},mcast=230.0.0.1:{nic.Port},localaddr=127.0.0.1");
            psi.ArgumentList.Add("-device");
            psi.ArgumentList.Add($"virtio-net-pci,netdev=n{i},mac={nic.Mac}");
        }

        var qemu = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {spec.Arch.Qemu}");
        Running[qemu.Id] = qemu;
        var vm = new VmMachine(spec, qemu, consoleLog, qmpSock);
        qemu.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (vm._qemuOutput) vm._qemuOutput.AppendLine(e.Data); };
        qemu.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (vm._qemuOutput) vm._qemuOutput.AppendLine(e.Data); };
        qemu.BeginOutputReadLine();
        qemu.BeginErrorReadLine();
        try
        {
            vm.Console = await VmConsole.ConnectAsync(consoleSock, () => qemu.HasExited, TimeSpan.FromSeconds(20));
            await vm.Console.WaitForAsync($"RHA-VM-READY {spec.Name}", timeout);
            await vm.Console.AttachShellAsync(TimeSpan.FromSeconds(30));
            return vm;
        }
        catch
        {
            var why = vm.Describe();
            vm.Dispose();
            throw new InvalidOperationException($"VM {spec.Name} did not boot:{Environment.NewLine}{why}");
        }
    }

    /// <summary>The image's initramfs with a second cpio holding this VM's files appended (the kernel unpacks both; later files win).</summary>
    private static string BuildInitrd(VmSpec spec, string dir)
    {
        var tree = Path.Combine(dir, "overlay");
        foreach (var (inside, text) in spec.Files)
        {
            var p = Path.Combine(tree, inside.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            File.WriteAllText(p, text);
        }
        var overlay = Path.Combine(dir, "overlay.cpio.gz");
        Shell.Check("sh", "-c", $"cd '{tree}' && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1 > '{overlay}'");
        var initrd = Path.Combine(dir, "initrd.gz");
        using (var o = File.Create(initrd))
        {
            using (var b = File.OpenRead(spec.Arch.Rootfs)) b.CopyTo(o);
            using (var v = File.OpenRead(overlay)) v.CopyTo(o);
        }
        return initrd;
    }

    /// <summary>Pulls the plug: QMP `quit` ends QEMU at once, nothing in the guest runs any more.</summary>
    public async Task PowerOffHardAsync()
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(_qmpPath));
        using var stream = new NetworkStream(s);
        using var reader = new StreamReader(stream);
        using var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\n" };
        await reader.ReadLineAsync(); // greeting
        await writer.WriteLineAsync("{\"execute\":\"qmp_capabilities\"}");
        await reader.ReadLineAsync();
        await writer.WriteLineAsync("{\"execute\":\"quit\"}");
        await Wait.UntilAsync(() => _qemu.HasExited, TimeSpan.FromSeconds(10), $"qemu of {Name} to exit after QMP quit");
    }

    /// <summary>QEMU's own output and the tail of the console, for failure messages.</summary>
    public string Describe()
    {
        string q;
        lock (_qemuOutput) q = _qemuOutput.ToString().Trim();
        var console = File.Exists(ConsoleLog) ? VmConsole.Tail(File.ReadAllText(ConsoleLog).Replace("\r", "", StringComparison.Ordinal), 30) : "(no console log)";
        return $"--- {Name} (qemu pid {_qemu.Id}{(_qemu.HasExited ? $", exited {_qemu.ExitCode}" : "")}) {ConsoleLog}"
               + (q.Length > 0 ? $"{Environment.NewLine}qemu: {q}" : "") + Environment.NewLine + console;
    }

    public void Dispose()
    {
        if (!_qemu.HasExited)
        {
            try { _qemu.Kill(); } catch (InvalidOperationException) { }
            _qemu.WaitForExit(10_000);
        }
        Running.TryRemove(_qemu.Id, out _);
        Console?.Dispose();
        _qemu.Dispose();
    }
}
