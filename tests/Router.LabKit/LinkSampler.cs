using System.Diagnostics;

namespace Router.LabKit;

/// <summary>
/// Reads one device's administrative state in a namespace fast enough to catch a short overlap: one long-lived
/// `ip -n NS -o -batch -` answers each "link show" in well under a millisecond (a new `ip` per read costs tens).
/// </summary>
public sealed class LinkSampler : IDisposable
{
    private readonly Process _ip;
    private readonly string _query;

    public LinkSampler(Netns ns, string device)
    {
        _query = $"link show dev {device}";
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-n", ns.Name, "-o", "-batch", "-" }) psi.ArgumentList.Add(a);
        _ip = Process.Start(psi) ?? throw new InvalidOperationException("ip did not start");
        LabRun.TrackPid(_ip.Id);
    }

    /// <summary>True while the device is administratively up (UP among its flags).</summary>
    public bool IsUp()
    {
        _ip.StandardInput.WriteLine(_query);
        _ip.StandardInput.Flush();
        var line = _ip.StandardOutput.ReadLine() ?? throw new InvalidOperationException("ip batch ended");
        var open = line.IndexOf('<', StringComparison.Ordinal);
        var close = line.IndexOf('>', open + 1);
        return open >= 0 && close > open && line[(open + 1)..close].Split(',').Contains("UP");
    }

    public void Dispose()
    {
        try { _ip.StandardInput.Close(); } catch (IOException) { }
        if (!_ip.WaitForExit(2000)) _ip.Kill();
        LabRun.ForgetPid(_ip.Id);
        _ip.Dispose();
    }
}
