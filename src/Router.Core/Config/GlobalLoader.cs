using System.Text;

namespace Router.Core.Config;

/// <summary>Validates the "config global" section.</summary>
internal static class GlobalLoader
{
    public static readonly string[] LogLevels = ["debug", "info", "warning", "error"];

    public static readonly string[] SyslogFacilities =
        ["daemon", "user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];

    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    private const int MaxSocketPathBytes = 107;

    public static GlobalConfig Load(SectionReader r)
    {
        var defaults = new GlobalConfig();
        return new GlobalConfig
        {
            Enabled = r.Bool("enabled", true),
            NodeName = NodeName(r),
            ControlSocket = ControlSocket(r) ?? defaults.ControlSocket,
            StartupDelay = r.Seconds("startup_delay", defaults.StartupDelay, 0, 3600),
            LogLevel = r.Choice("log_level", defaults.LogLevel, LogLevels),
            Syslog = r.Bool("syslog", true),
            SyslogFacility = r.Choice("syslog_facility", defaults.SyslogFacility, SyslogFacilities),
            NotifyTimeout = r.Seconds("notify_timeout", defaults.NotifyTimeout, 0.1m, 3600),
            // Whole seconds: procd takes these as integers (watchdog, respawn and term_timeout parameters).
            Watchdog = WholeSeconds(r, "watchdog", defaults.Watchdog, 0),
            RespawnDelay = WholeSeconds(r, "respawn_delay", defaults.RespawnDelay, 0),
            TermTimeout = WholeSeconds(r, "term_timeout", defaults.TermTimeout, 1),
            Dbus = Dbus(r),
            EnforceInterval = EnforceInterval(r, defaults.EnforceInterval),
        };
    }

    /// <summary>Each check runs a command or two per action: below a second it would keep a small router busy.</summary>
    private static TimeSpan EnforceInterval(SectionReader r, TimeSpan fallback)
    {
        if (r.RawSeconds("enforce_interval") is not { } v) return fallback;
        if (v == 0) return TimeSpan.Zero;
        if (v >= 1 && v <= 3600) return SectionReader.ToTimeSpan(v);
        r.Error(r.Get("enforce_interval")!.Line,
            $"enforce_interval {r.Get("enforce_interval")!.Value} must be 0 (off) or 1..3600 seconds (how often drift is checked and corrected)");
        return fallback;
    }

    /// <summary>"auto" (null) leaves the choice to the start, which looks for a system bus; otherwise a boolean.</summary>
    private static bool? Dbus(SectionReader r) =>
        r.Get("dbus") is { Value: "auto" } ? null : r.Get("dbus") is null ? null : r.Bool("dbus", false);

    private static TimeSpan WholeSeconds(SectionReader r, string name, TimeSpan fallback, int min) =>
        r.Int(name, min, 3600) is { } v ? TimeSpan.FromSeconds(v) : fallback;

    private static string? NodeName(SectionReader r)
    {
        if (r.Get("node_name") is not { } o) return null;
        if (o.Value.Length > 0 && !o.Value.Any(char.IsWhiteSpace)) return o.Value;
        r.Error(o.Line, "node_name must not be empty or contain spaces");
        return null;
    }

    private static string? ControlSocket(SectionReader r)
    {
        if (r.AbsolutePath("control_socket") is not { } path) return null;
        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes <= MaxSocketPathBytes) return path;
        r.Error(r.Get("control_socket")!.Line, $"control_socket path is {bytes} bytes long; a unix socket path allows at most {MaxSocketPathBytes}");
        return null;
    }
}
