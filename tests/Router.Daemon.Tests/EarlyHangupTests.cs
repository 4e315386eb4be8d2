using System.Diagnostics;

namespace Router.Daemon.Tests;

/// <summary>
/// A reload that reaches `routerha run` before its loop listens (procd started it a moment ago) must not end the
/// process: SIGHUP's default action would. Sent to this test process for real.
/// </summary>
public sealed class EarlyHangupTests
{
    [Fact]
    public void AHupBeforeTheLoopListensIsCaughtAndRemembered()
    {
        using var early = new EarlyHangup();
        Assert.False(early.Arrived);
        using (var kill = Process.Start("kill", ["-HUP", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            kill.WaitForExit();
        var deadline = Stopwatch.StartNew();
        while (!early.Arrived && deadline.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(10);
        Assert.True(early.Arrived, "the HUP was not caught within 5 s");
    }
}
