using Router.Core.Ports;

namespace Router.Daemon;

/// <summary>A receive task per VRRP socket: the real sockets block in ReceiveAsync off the loop.</summary>
internal static class ReceivePump
{
    public static IDisposable Start(IVrrpSocket socket, Action<ReceivedVrrp> onPacket, Action<Exception> onFailure)
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    onPacket(await socket.ReceiveAsync(stop.Token));
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    onFailure(e);
                    return;
                }
            }
        });
        return new Stopper(stop);
    }

    private sealed class Stopper(CancellationTokenSource stop) : IDisposable
    {
        public void Dispose() => stop.Cancel();
    }
}
