using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Router.Linux.Tests;

/// <summary>Two fresh network namespaces joined by a veth pair (va in A, vb in B), IPv4 10.77.0.1/24 and 10.77.0.2/24,
/// IPv6 DAD off so link-local addresses are usable at once. Deleted on Dispose, also when setup fails halfway.</summary>
public sealed partial class NetnsPair : IDisposable
{
    public const string IfA = "va", IfB = "vb";
    public const string AddrA = "10.77.0.1", AddrB = "10.77.0.2";
    private const int CLONE_NEWNET = 0x40000000;

    public NetnsPair()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        A = $"rhl-{id}-a";
        B = $"rhl-{id}-b";
        try
        {
            foreach (var ns in new[] { A, B })
            {
                Run("ip", "netns", "add", ns);
                Run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
                Run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            Run("ip", "-n", A, "link", "add", IfA, "type", "veth", "peer", "name", IfB, "netns", B);
            Run("ip", "-n", A, "addr", "add", AddrA + "/24", "dev", IfA);
            Run("ip", "-n", B, "addr", "add", AddrB + "/24", "dev", IfB);
            Run("ip", "-n", A, "link", "set", IfA, "up");
            Run("ip", "-n", B, "link", "set", IfB, "up");
            WaitForLinkLocal(A, IfA);
            WaitForLinkLocal(B, IfB);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The kernel adds the link-local address once the veth has carrier (linkwatch work, asynchronous) and keeps
    /// it tentative for a moment even without DAD; binding to it fails until then.</summary>
    private static void WaitForLinkLocal(string ns, string device)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var shown = Run("ip", "-n", ns, "-6", "-o", "addr", "show", "dev", device, "scope", "link");
            if (shown.Contains("fe80::") && !shown.Contains("tentative")) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no usable link-local address on {device} in {ns}: {shown}");
            Thread.Sleep(20);
        }
    }

    public string A { get; }
    public string B { get; }

    /// <summary>Runs f on a fresh thread that first entered the namespace; sockets it opens stay in that namespace.</summary>
    public static T In<T>(string ns, Func<T> f)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{ns}");
                if (SetNs((int)handle.DangerousGetHandle(), CLONE_NEWNET) != 0)
                    throw new IOException($"setns {ns}: errno {Marshal.GetLastPInvokeError()}");
                result = f();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(30))) throw new TimeoutException($"work in namespace {ns} did not finish");
        if (error is not null) ExceptionDispatchInfo.Throw(error);
        return result;
    }

    /// <summary>Runs a command to completion (10 s bound) and returns stdout; throws with stderr on failure.</summary>
    public static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new IOException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new IOException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    public void Dispose()
    {
        foreach (var ns in new[] { A, B })
        {
            if (ns is null || !File.Exists($"/var/run/netns/{ns}")) continue;
            try { Run("ip", "netns", "del", ns); } catch (IOException) { }
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
