using System.Runtime.InteropServices;

namespace Router.Daemon;

/// <summary>
/// SIGHUP's default action ends the process, and `run` spends a while (config, store, MQTT, D-Bus) before the loop
/// installs its own handler: a reload arriving then (LuCI's apply right after boot) would kill the daemon, and
/// procd would count a crash. Held from the first line of `run`; the loop replays a HUP caught here once it listens.
/// </summary>
internal sealed class EarlyHangup : IDisposable
{
    private readonly PosixSignalRegistration _registration;
    private int _arrived;

    public EarlyHangup() => _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
    {
        context.Cancel = true;
        Volatile.Write(ref _arrived, 1);
    });

    /// <summary>A HUP came while this was held: the file may have changed after it was read.</summary>
    public bool Arrived => Volatile.Read(ref _arrived) == 1;

    public void Dispose() => _registration.Dispose();
}
