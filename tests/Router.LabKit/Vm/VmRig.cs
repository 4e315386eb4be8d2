namespace Router.LabKit.Vm;

/// <summary>
/// One scenario's machines: each run gets its own random block of multicast ports (concurrent runs do not share a LAN)
/// and a directory for initrds, sockets and console logs. Every VM is powered off (QEMU killed by pid)
/// when the scenario ends, passed or failed; on failure the console tails and routerha logs are printed.
/// </summary>
public sealed class VmRig : IDisposable
{
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(120);

    private readonly List<VmMachine> _machines = [];
    private readonly Action<string> _output;
    private int _nextPort;
    private bool _failed;

    public string Dir { get; }

    public VmRig(Action<string> output)
    {
        _output = output;
        Dir = Directory.CreateTempSubdirectory("rha-vm-").FullName;
        // 16 ports per run, anywhere in 20000..59999.
        _nextPort = 20000 + Random.Shared.Next(0, 2500) * 16;
    }

    /// <summary>A new network segment (a multicast group port of its own).</summary>
    public int NewSegment() => _nextPort++;

    public async Task<VmMachine> BootAsync(VmSpec spec)
    {
        var vm = await VmMachine.BootAsync(spec, Dir, BootTimeout);
        lock (_machines) _machines.Add(vm);
        return vm;
    }

    public async Task<VmMachine[]> BootAllAsync(params VmSpec[] specs) =>
        await Task.WhenAll(specs.Select(BootAsync));

    /// <summary>Runs the scenario; on failure prints every machine's console tail and routerha log, then rethrows.</summary>
    public async Task RunAsync(Func<Task> scenario)
    {
        try
        {
            await scenario();
        }
        catch
        {
            _failed = true;
            List<VmMachine> all;
            lock (_machines) all = [.. _machines];
            foreach (var vm in all)
            {
                _output(vm.Describe());
                if (vm.Exited) continue;
                try { _output((await vm.Console.RunAsync("cat /var/log/routerha.log", TimeSpan.FromSeconds(10))).Output); }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException) { }
            }
            throw;
        }
    }

    public void Dispose()
    {
        List<VmMachine> all;
        lock (_machines) all = [.. _machines];
        foreach (var vm in all) vm.Dispose();
        if (_failed) _output($"VM run directory kept: {Dir}");
        else Directory.Delete(Dir, recursive: true);
    }
}
