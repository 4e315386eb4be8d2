using Router.Core.Leases;
using Router.Integrations.Logging;

namespace Router.Daemon.Leases;

/// <summary>
/// The directory where OpenWrt's hotplug handler leaves dnsmasq's lease events for the running daemon, one file per
/// event holding the handler's environment. procd runs every hotplug call at once, unordered, and dnsmasq calls its
/// script for every lease at each start and SIGHUP (shared/testdata/dnsmasq): one `routerha dhcp-script` process per
/// event (about 3.4 MB private each) would put hundreds in memory on a router at every failover. Writing a file costs
/// the handler a `cat`; this reader hands the files to the loop a few times a second. Files whose name starts with a
/// dot are still being written. While the directory exists the daemon is taking events; without it the handler falls
/// back to `routerha dhcp-script`.
/// </summary>
internal sealed class DhcpEventSpool : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);
    private readonly string _dir;
    private readonly Log _log;
    private readonly Action<byte[]> _deliver;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private bool _warned;

    private DhcpEventSpool(string dir, Log log, Action<byte[]> deliver)
    {
        _dir = dir;
        _log = log;
        _deliver = deliver;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Beside the control socket, so that daemons with their own sockets have their own spools.</summary>
    public static string PathFor(string controlSocket) => Path.ChangeExtension(controlSocket, ".dhcp-events");

    /// <summary>Creates the directory (root only) and starts reading it; events left by a run that crashed are read first.</summary>
    public static DhcpEventSpool? Open(string dir, Log log, Action<byte[]> deliver)
    {
        try
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warn($"dhcp event spool {dir} not created ({e.Message}): each DHCP event starts a `routerha dhcp-script` process");
            return null;
        }
        return new DhcpEventSpool(dir, log, deliver);
    }

    private async Task ReadAsync()
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            do
            {
                foreach (var e in Take(_dir)) _deliver(e);
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Stops taking events: the directory is moved aside first, so a handler that comes later finds none and runs
    /// `routerha dhcp-script` itself; what was left in it is returned for the loop to store before it exits.
    /// </summary>
    public IReadOnlyList<byte[]> Close()
    {
        if (_stop.IsCancellationRequested) return [];
        _stop.Cancel();
        _reader.Wait(TimeSpan.FromSeconds(2));
        var aside = _dir + ".closing";
        try
        {
            if (Directory.Exists(aside)) Directory.Delete(aside, recursive: true);
            Directory.Move(_dir, aside);
            var left = Take(aside);
            Directory.Delete(aside, recursive: true);
            return left;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warn($"dhcp event spool {_dir} not removed: {e.Message}");
            return [];
        }
    }

    /// <summary>The finished events, oldest first (procd's order is lost already; the stamps in them decide).</summary>
    private List<byte[]> Take(string dir)
    {
        var taken = new List<byte[]>();
        FileInfo[] files;
        try
        {
            files = new DirectoryInfo(dir).GetFiles();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn($"dhcp event spool {dir} not readable: {e.Message}");
            return taken;
        }
        Array.Sort(files, (x, y) => x.LastWriteTimeUtc != y.LastWriteTimeUtc
            ? x.LastWriteTimeUtc.CompareTo(y.LastWriteTimeUtc)
            : string.CompareOrdinal(x.Name, y.Name));
        foreach (var f in files)
        {
            if (f.Name.StartsWith('.')) continue;
            try
            {
                var bytes = f.Length <= HotplugLeaseEvent.MaxBytes ? File.ReadAllBytes(f.FullName) : null;
                // Taken only once it is gone: a file that cannot be deleted must not be stored again at every read.
                f.Delete();
                if (bytes is not null) taken.Add(bytes);
                else _log.Warn($"dhcp event spool: {f.Name} is {f.Length} bytes, not an event: dropped");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Warn($"dhcp event spool: {f.Name} not taken: {e.Message}");
            }
        }
        return taken;
    }

    /// <summary>Once per run: a spool that cannot be read would otherwise say so five times a second.</summary>
    private void Warn(string message)
    {
        if (_warned) return;
        _warned = true;
        _log.Warn(message);
    }

    public void Dispose()
    {
        Close();
        _stop.Dispose();
    }
}
