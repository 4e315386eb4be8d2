using System.Text;
using System.Text.Json;
using Router.Core.Config;
using Router.Daemon.Control;

namespace Router.Daemon.Rpcd;

/// <summary>
/// The methods of the ubus object `routerha` (rpcd exec plugin protocol): each call answers exactly one JSON
/// object, an error object included, whatever came in and whatever the daemon said.
/// </summary>
internal static class RpcdMethods
{
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    public static readonly IReadOnlyList<RpcdMethod> All =
    [
        new("status", []),
        new("leases", []),
        new("switchover", [new("instance", RpcdType.String)]),
        new("maintenance", [new("on", RpcdType.Bool)]),
        new("genkey", [new("file", RpcdType.String)]),
    ];

    /// <summary>`list`: each method with a sample value per argument, from which rpcd builds the ubus policy.</summary>
    public static string List()
    {
        return Answer.Write(w =>
        {
            foreach (var m in All)
            {
                w.WriteStartObject(m.Name);
                foreach (var (name, type) in m.Arguments)
                {
                    if (type == RpcdType.Bool) w.WriteBoolean(name, true);
                    else w.WriteString(name, "str");
                }
                w.WriteEndObject();
            }
        });
    }

    public static string Call(string method, ReadOnlySpan<byte> input, RpcdContext context)
    {
        var m = All.FirstOrDefault(x => x.Name == method);
        if (m is null)
            return Answer.Error($"unknown method '{Router.Core.Text.SafeText.Clean(method, 40)}' (known: {string.Join(", ", All.Select(x => x.Name))})");
        if (RpcdArguments.Check(m, input, out var error) is not { } args) return Answer.Error(error!);
        try
        {
            return m.Name switch
            {
                "status" => Status(context),
                "leases" => Leases(context),
                "switchover" => Switchover(args, context),
                "maintenance" => Maintenance(args, context),
                "genkey" => Genkey(args, context),
                _ => Answer.Error($"unknown method '{m.Name}'"),
            };
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException
                                      or JsonException or UnauthorizedAccessException)
        {
            // The daemon is down, slow, or answered something that is not the protocol.
            return Answer.Error(e is OperationCanceledException ? "routerha did not answer in time" : e.Message);
        }
    }

    private static string Status(RpcdContext context)
    {
        var r = context.Send(new ControlRequest("status"), StatusTimeout);
        return r is { Ok: true, Status: { } status }
            ? JsonSerializer.Serialize(status, ControlJson.Default.StatusReport)
            : Answer.Error(r.Error ?? "no status");
    }

    private static string Leases(RpcdContext context)
    {
        var rows = Router.Daemon.Leases.LeasesCommand.Rows(context.ConfigPath, _ => { }, out _, out var error);
        if (rows is null) return Answer.Error(error!);
        return Answer.Write(w =>
        {
            w.WritePropertyName("leases");
            JsonSerializer.Serialize(w, rows, Router.Daemon.Leases.LeaseJson.Default.ListLeaseRow);
        });
    }

    /// <summary>No instance: every instance this router is master of. A named one must be configured: an empty or odd
    /// name is a mistake of the caller, never "all".</summary>
    private static string Switchover(RpcdValues args, RpcdContext context)
    {
        if (args.Instance is { } name)
        {
            var shown = Router.Core.Text.SafeText.Clean(name, 40);
            if (name.Length == 0) return Answer.Error("switchover: 'instance' is empty (leave it out to hand over every instance)");
            if (!UciParser.IsUciName(name)) return Answer.Error($"switchover: '{shown}' is not an instance name (letters, digits and _)");
            var configured = InstanceNames(context.ConfigPath, out var unreadable);
            if (configured is null) return Answer.Error($"switchover: {unreadable}");
            if (!configured.Contains(name))
                return Answer.Error($"switchover: no instance named '{shown}' in {context.ConfigPath} (configured: {(configured.Count == 0 ? "none" : string.Join(", ", configured))})");
        }
        return Command(context.Send(new ControlRequest("switchover", Instance: args.Instance), CommandTimeout));
    }

    private static string Maintenance(RpcdValues args, RpcdContext context)
    {
        if (args.On is not { } on) return Answer.Error("maintenance: needs {\"on\": true} or {\"on\": false}");
        return Command(context.Send(new ControlRequest("maintenance", On: on), CommandTimeout));
    }

    private static string Genkey(RpcdValues args, RpcdContext context)
    {
        if (RpcdKeyFile.Resolve(args.File, context.KeyDirectory, out var error) is not { } file) return Answer.Error(error!);
        if (RpcdKeyFile.Write(file) is { } failed) return Answer.Error(failed);
        return Answer.Write(w =>
        {
            w.WriteBoolean("ok", true);
            w.WriteString("file", file);
            w.WriteString("message", $"new key in {file} (mode 0600): copy it to the other router and set option secret_file '{file}' on both");
        });
    }

    private static string Command(ControlResponse r) => r.Ok
        ? Answer.Write(w =>
        {
            w.WriteBoolean("ok", true);
            w.WriteString("message", r.Message ?? "done");
        })
        : Answer.Error(r.Error ?? "refused");

    /// <summary>The `config instance` names of the file, read leniently: a broken option elsewhere must not hide them.</summary>
    private static HashSet<string>? InstanceNames(string path, out string? error)
    {
        error = null;
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read {path}: {e.Message}";
            return null;
        }
        var doc = UciParser.Parse(path, text, []);
        return doc.Sections.Where(s => s.Type == "instance" && s.Name is not null)
            .Select(s => s.Name!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>One JSON object per answer, written by the JSON writer: control characters in any text are escaped.</summary>
    internal static class Answer
    {

        public static string Error(string message) => Write(w =>
        {
            w.WriteBoolean("ok", false);
            w.WriteString("error", message);
        });

        public static string Write(Action<Utf8JsonWriter> body)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                body(w);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
    }
}
