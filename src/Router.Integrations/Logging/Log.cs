namespace Router.Integrations.Logging;

public enum LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3 }

/// <summary>Where log lines go. One line per call; message already formatted.</summary>
public interface ILogSink
{
    void Write(LogLevel level, string message);
}

/// <summary>
/// The daemon's logger: level filter in front of a list of sinks. Thread-safe because sinks are
/// (the event loop, receive tasks and the notify runner all log).
/// </summary>
public sealed class Log
{
    private readonly ILogSink[] _sinks;

    public Log(LogLevel minimum, params ILogSink[] sinks)
    {
        Minimum = minimum;
        _sinks = sinks;
    }

    public LogLevel Minimum { get; set; }

    public bool IsEnabled(LogLevel level) => level >= Minimum;

    public void Write(LogLevel level, string message)
    {
        if (level < Minimum) return;
        foreach (var sink in _sinks) sink.Write(level, message);
    }

    public void Debug(string message) => Write(LogLevel.Debug, message);
    public void Info(string message) => Write(LogLevel.Info, message);
    public void Warn(string message) => Write(LogLevel.Warning, message);
    public void Error(string message) => Write(LogLevel.Error, message);

    public static bool TryParseLevel(string text, out LogLevel level)
    {
        level = text switch
        {
            "debug" => LogLevel.Debug,
            "info" => LogLevel.Info,
            "warning" or "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => (LogLevel)(-1),
        };
        return level >= 0;
    }
}

/// <summary>procd and systemd capture stderr; keep lines short and greppable, one record per line.</summary>
public sealed class StderrSink : ILogSink
{
    private readonly object _gate = new();

    public void Write(LogLevel level, string message)
    {
        var tag = level switch { LogLevel.Debug => "debug", LogLevel.Info => "info", LogLevel.Warning => "warn", _ => "error" };
        var line = LogLine.Fold(message);
        lock (_gate) Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {tag}: {line}");
    }
}
