using System.Runtime.InteropServices;

namespace Router.LabKit;

internal static partial class Native
{
    public const int CLONE_NEWNET = 0x40000000;
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;
    public const int SIGSTOP = 19;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);
}
