using System.Net;
using Router.Core.Health;

namespace Router.Core.Config;

public enum TrackKind { Link, Ping, Tcp, Process, Script }

/// <summary>One "config track" section: a health check and what it probes.</summary>
public sealed record TrackConfig
{
    public required TrackSettings Settings { get; init; }
    public required TrackKind Kind { get; init; }
    /// <summary>link: the device watched. ping / tcp: the device the probe is bound to (SO_BINDTODEVICE).</summary>
    public string? Interface { get; init; }
    public IPAddress? Host { get; init; }
    public int Port { get; init; }
    /// <summary>ping / tcp: source address the probe is bound to.</summary>
    public IPAddress? Source { get; init; }
    public string? PidFile { get; init; }
    public string? ProcessName { get; init; }
    /// <summary>script: command line (split like notify scripts, no shell); exit code 0 = up.</summary>
    public string? Script { get; init; }
    public int Line { get; init; }
}
