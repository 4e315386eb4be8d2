using System.Runtime.InteropServices;
using Router.Linux.Interop;

namespace Router.Linux;

/// <summary>A dedicated thread that sleeps in poll(2) until a descriptor is readable and then runs a drain callback.
/// Used where .NET's Socket cannot do the reading (recvmsg ancillary data, netlink). Dispose wakes the thread
/// through an eventfd: closing a descriptor does not interrupt a poll or recv blocked on it in another thread.</summary>
internal sealed unsafe class ReadinessLoop : IDisposable
{
    private readonly SafeFd _fd;
    private readonly SafeFd _wake = Libc.EventFd();
    private readonly Action _onReadable;
    private readonly Action<Exception> _onFault;
    private readonly Thread _thread;
    private int _disposed;

    /// <param name="onReadable">Reads everything waiting (non-blocking); exceptions end the loop and go to onFault.</param>
    public ReadinessLoop(SafeFd fd, string name, Action onReadable, Action<Exception> onFault)
    {
        _fd = fd;
        _onReadable = onReadable;
        _onFault = onFault;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    private void Run()
    {
        bool fdRef = false, wakeRef = false;
        try
        {
            _fd.DangerousAddRef(ref fdRef);
            _wake.DangerousAddRef(ref wakeRef);
            var fds = stackalloc Libc.PollFd[2];
            while (true)
            {
                fds[0] = new Libc.PollFd { Fd = _fd.Fd, Events = Libc.POLLIN };
                fds[1] = new Libc.PollFd { Fd = _wake.Fd, Events = Libc.POLLIN };
                if (Libc.Poll(fds, 2, -1) < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR) continue;
                    throw LinuxNetworkException.FromErrno("poll", errno);
                }
                if (fds[1].Revents != 0) return;
                // POLLERR/POLLHUP also land here: the drain's recv reports the error.
                if (fds[0].Revents != 0) _onReadable();
            }
        }
        catch (Exception e)
        {
            _onFault(e);
        }
        finally
        {
            if (fdRef) _fd.DangerousRelease();
            if (wakeRef) _wake.DangerousRelease();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        ulong one = 1;
        Libc.Write(_wake, &one, sizeof(ulong));
        if (Thread.CurrentThread != _thread) _thread.Join();
        _wake.Dispose();
    }
}
