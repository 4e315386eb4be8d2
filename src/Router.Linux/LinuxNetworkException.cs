using System.Runtime.InteropServices;

namespace Router.Linux;

/// <summary>A kernel call failed. Errno keeps the raw code so callers can tell "already there" from real failures.</summary>
public sealed class LinuxNetworkException : IOException
{
    public LinuxNetworkException(string operation, int errno)
        : base($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Operation = operation;
        Errno = errno;
    }

    public string Operation { get; }
    public int Errno { get; }

    internal static LinuxNetworkException FromErrno(string operation, int errno) => new(operation, errno);
}
