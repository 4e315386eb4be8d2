using System.Globalization;
using System.Net;

namespace Router.Core.Config;

/// <summary>
/// One section seen through its schema: reports unknown, repeated and wrongly kinded options once, then
/// hands out typed values. A bad value is reported at its own line and the default is returned,
/// so validation goes on and every problem is found in one pass.
/// </summary>
internal sealed class SectionReader
{
    private readonly string _path;
    private readonly List<ConfigError> _errors;
    private readonly Dictionary<string, UciOption> _single = [];
    private readonly Dictionary<string, List<UciOption>> _lists = [];

    public UciSection Section { get; }
    /// <summary>How messages name this section: "instance 'lan'", "the global section".</summary>
    public string Label { get; }

    public SectionReader(string path, UciSection section, SectionSchema schema, string label, List<ConfigError> errors)
    {
        _path = path;
        _errors = errors;
        Section = section;
        Label = label;
        foreach (var o in section.Options)
        {
            if (!schema.Knows(o.Name))
            {
                Error(o.Line, $"unknown option '{o.Name}' in {label}{Suggestion.Hint(o.Name, schema.All)}");
                continue;
            }
            if (schema.IsList(o.Name))
            {
                // Reported, then used anyway, so one slip does not also cause "missing" errors.
                if (!o.IsList)
                    Error(o.Line, $"'{o.Name}' is a list: write list {o.Name} '...' (one line per value)");
                if (!_lists.TryGetValue(o.Name, out var entries)) _lists[o.Name] = entries = [];
                entries.Add(o);
            }
            else if (_single.TryGetValue(o.Name, out var first))
                Error(o.Line, $"option '{o.Name}' given twice in {label} (first at line {first.Line})");
            else
            {
                if (o.IsList)
                    Error(o.Line, $"'{o.Name}' takes a single value: write option {o.Name} '...', not list");
                _single[o.Name] = o;
            }
        }
    }

    public UciOption? Get(string name) => _single.GetValueOrDefault(name);

    public IReadOnlyList<UciOption> GetList(string name) => _lists.TryGetValue(name, out var l) ? l : [];

    public void Error(int line, string message) => _errors.Add(new ConfigError(_path, line, message));

    public bool Bool(string name, bool fallback)
    {
        if (Get(name) is not { } o) return fallback;
        switch (o.Value.ToLowerInvariant())
        {
            case "1" or "yes" or "on" or "true" or "enabled": return true;
            case "0" or "no" or "off" or "false" or "disabled": return false;
            default:
                Error(o.Line, $"{name} '{o.Value}' is not a boolean (use 1/0, yes/no, on/off, true/false)");
                return fallback;
        }
    }

    /// <summary>Whole number in min..max; null when absent or bad (a bad one is reported).</summary>
    public int? Int(string name, int min, int max)
    {
        if (Get(name) is not { } o) return null;
        var text = o.Value;
        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
        {
            Error(o.Line, $"{name} '{text}' is not a whole number ({min}..{max})");
            return null;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            Error(o.Line, $"{name} {text} out of range {min}..{max}");
            return null;
        }
        return v;
    }

    /// <summary>Decimal seconds ("2", "0.5"); null when absent or not a number (reported). No range check.</summary>
    public decimal? RawSeconds(string name)
    {
        if (Get(name) is not { } o) return null;
        if (TryParseSeconds(o.Value, out var v)) return v;
        Error(o.Line, $"{name} '{o.Value}' is not a number of seconds (e.g. 1 or 2.5)");
        return null;
    }

    public TimeSpan Seconds(string name, TimeSpan fallback, decimal min, decimal max)
    {
        if (RawSeconds(name) is not { } v) return fallback;
        if (v < min || v > max)
        {
            Error(Get(name)!.Line, $"{name} {Get(name)!.Value} out of range {Format(min)}..{Format(max)} seconds");
            return fallback;
        }
        return ToTimeSpan(v);
    }

    public string Choice(string name, string fallback, IReadOnlyList<string> allowed)
    {
        if (Get(name) is not { } o) return fallback;
        if (allowed.Contains(o.Value)) return o.Value;
        Error(o.Line, $"{name} '{o.Value}' must be one of: {string.Join(", ", allowed)}{Suggestion.Hint(o.Value, allowed)}");
        return fallback;
    }

    /// <summary>A script or socket path; it must be absolute because the daemon's working directory is not the admin's.</summary>
    public string? AbsolutePath(string name)
    {
        if (Get(name) is not { } o) return null;
        if (o.Value.StartsWith('/')) return o.Value;
        Error(o.Line, $"{name} '{o.Value}' must be an absolute path (starting with /)");
        return null;
    }

    public IPAddress? Address(UciOption o)
    {
        if (!o.Value.Contains('%') && !o.Value.Contains('/') && IPAddress.TryParse(o.Value, out var a)) return a;
        Error(o.Line, $"{o.Name} '{o.Value}' is not an IP address");
        return null;
    }

    public static bool TryParseSeconds(string text, out decimal value)
    {
        value = 0;
        // Digits with an optional fraction only: no sign, exponent, thousands separator or unit suffix.
        if (text.Length == 0 || text.Any(c => !char.IsAsciiDigit(c) && c != '.') || !text.Any(char.IsAsciiDigit)) return false;
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    public static TimeSpan ToTimeSpan(decimal seconds) => TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));

    public static string Format(decimal seconds) => seconds.ToString("0.##", CultureInfo.InvariantCulture);
}
