using System.Runtime.InteropServices;

namespace Router.LabKit;

internal static partial class Native
{
    public const int CLONE_NEWNET = 0x40000000;
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);
}
