using Router.Core.Text;
using Router.Integrations.Events;
using Router.Integrations.Logging;
using Tmds.DBus.Protocol;

namespace Router.Integrations.DBus;

/// <summary>A request into the daemon's loop: "switchover" (instance null = every instance this router is master of)
/// or "maintenance" with on/off. It goes through the loop exactly like the control socket's command.</summary>
public delegate Task<(bool Ok, string Message)> DBusCommand(string command, string? instance, bool? on);

/// <summary>
/// Exports the router on the system bus as org.routerha.RouterHA1 (docs/dbus.md). An observer: the loop hands it each
/// view and event and it keeps only the last view it signalled, which Get/GetAll read from the bus thread. Commands go
/// back through <see cref="DBusCommand"/>. The bus lives on its own task: connecting, losing the bus or a slow client
/// never reaches the loop, which only formats a message and queues it.
/// </summary>
public sealed class DBusExporter : IRouterObserver, IPathMethodHandler
{
    public const string DefaultSystemBus = "unix:path=/run/dbus/system_bus_socket";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    /// <summary>A command waits at most this long for the loop, which answers within a turn when it is alive.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private readonly string _address;
    private readonly DBusCommand _commands;
    private readonly Log _log;
    private readonly CancellationTokenSource _stop = new();
    private volatile RouterView? _view;
    private volatile DBusConnection? _connection;
    private volatile string _state = "connecting";

    public DBusExporter(string address, DBusCommand commands, Log log)
    {
        _address = address;
        _commands = commands;
        _log = log;
        _ = Task.Run(RunAsync);
    }

    /// <summary>DBUS_SYSTEM_BUS_ADDRESS when set (the lab's private bus), else the standard socket.</summary>
    public static string SystemBusAddress(Func<string, string?> env) =>
        env("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } a ? a : DefaultSystemBus;

    /// <summary>`option dbus 'auto'`: on where a system bus is to be expected (Debian, not OpenWrt, which has ubus).</summary>
    public static bool SystemBusPresent(Func<string, string?> env, Func<string, bool> socketExists) =>
        env("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } || socketExists("/run/dbus/system_bus_socket");

    public string? Health => $"dbus {DBusNames.BusName} on {SafeText.Clean(_address)}: {_state}";

    string IPathMethodHandler.Path => DBusNames.DaemonPath;

    bool IPathMethodHandler.HandlesChildPaths => true;

    public void Publish(RouterView view)
    {
        var old = _view;
        _view = view;
        if (old is null || _connection is not { } conn) return;
        foreach (var now in view.Instances)
        {
            if (old.Instances.FirstOrDefault(i => i.Name == now.Name) is not { } before) continue;
            Signal(conn, DBusNames.InstancePath(now.Name), DBusNames.InstanceInterface,
                DBusProperties.Changed(DBusProperties.Instance(before), DBusProperties.Instance(now)));
        }
        Signal(conn, DBusNames.DaemonPath, DBusNames.DaemonInterface,
            DBusProperties.Changed(DBusProperties.Daemon(old), DBusProperties.Daemon(view)));
    }

    /// <summary>A transition is signalled when it happens, not with the next view: two in one turn (BACKUP -> MASTER
    /// -> BACKUP) are two signals, in order, where the view would show none.</summary>
    public void Publish(RouterEvent e)
    {
        if (e.Kind != "transition" || e.Instance is null || !e.Fields.TryGetValue("to", out var to)) return;
        if (_view is not { } view || view.Instances.FirstOrDefault(i => i.Name == e.Instance) is not { } before) return;
        if (before.State == to) return;
        var after = before with { State = to };
        _view = view with { Instances = view.Instances.Select(i => i == before ? after : i).ToList() };
        if (_connection is { } conn)
            Signal(conn, DBusNames.InstancePath(after.Name), DBusNames.InstanceInterface,
                [new("State", new StringValue(to))]);
    }

    private static void Signal(DBusConnection conn, string path, string iface, List<KeyValuePair<string, DBusValue>> changed)
    {
        if (changed.Count == 0) return;
        var writer = conn.GetMessageWriter();
        try
        {
            writer.WriteSignalHeader(null, path, DBusNames.PropertiesInterface, "PropertiesChanged", "sa{sv}as");
            writer.WriteString(iface);
            WriteDictionary(ref writer, changed);
            var none = writer.WriteArrayStart(DBusType.String);
            writer.WriteArrayEnd(none);
            conn.TrySendMessage(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static void WriteDictionary(ref MessageWriter writer, IEnumerable<KeyValuePair<string, DBusValue>> properties)
    {
        var start = writer.WriteDictionaryStart();
        foreach (var p in properties)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(p.Key);
            p.Value.WriteVariant(ref writer);
        }
        writer.WriteDictionaryEnd(start);
    }

    private async Task RunAsync()
    {
        var delay = TimeSpan.FromSeconds(1);
        var down = false;
        while (!_stop.IsCancellationRequested)
        {
            var conn = new DBusConnection(_address);
            try
            {
                await conn.ConnectAsync().AsTask().WaitAsync(ConnectTimeout, _stop.Token);
                conn.AddMethodHandler(this);
                // No replacement either way: a second routerha on the same bus must not steal the name from the first.
                if (!await conn.TryRequestNameAsync(DBusNames.BusName, RequestNameOptions.None).WaitAsync(ConnectTimeout, _stop.Token))
                    throw new InvalidOperationException($"{DBusNames.BusName} is owned by another connection (another routerha on this bus?)");
                _connection = conn;
                _state = "exported";
                _log.Info($"D-Bus: exported {DBusNames.BusName} on {SafeText.Clean(_address)}");
                delay = TimeSpan.FromSeconds(1);
                down = false;
                var lost = await conn.DisconnectedAsync().WaitAsync(_stop.Token);
                _connection = null;
                _state = $"lost: {SafeText.Clean(lost?.Message) ?? "closed"}; reconnecting";
                _log.Warn($"D-Bus: connection to {SafeText.Clean(_address)} lost ({SafeText.Clean(lost?.Message) ?? "closed"}); reconnecting with backoff");
                down = true;
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _connection = null;
                _state = $"not exported: {SafeText.Clean(e.Message)}; retrying";
                // Once per outage: a router without a bus would otherwise log every minute forever.
                if (!down) _log.Warn($"D-Bus: cannot export {DBusNames.BusName} on {SafeText.Clean(_address)}: {SafeText.Clean(e.Message)}; retrying with backoff (up to {MaxBackoff.TotalSeconds:0} s)");
                down = true;
            }
            finally
            {
                _connection = null;
                conn.Dispose();
            }
            try { await Task.Delay(delay, _stop.Token); }
            catch (OperationCanceledException) { break; }
            delay = delay * 2 > MaxBackoff ? MaxBackoff : delay * 2;
        }
    }

    ValueTask IPathMethodHandler.HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        var path = request.PathAsString ?? "";
        var view = _view;
        if (context.IsDBusIntrospectRequest)
        {
            Introspect(context, path, view);
            return default;
        }
        var iface = request.InterfaceAsString;
        var (objectInterface, properties) = ObjectAt(path, view);
        if (properties is null)
        {
            context.ReplyError(DBusNames.ErrorUnknownObject, $"no object {SafeText.Clean(path)}");
            return default;
        }
        if (iface == DBusNames.PropertiesInterface)
            Properties(context, objectInterface!, properties);
        else if (path == DBusNames.DaemonPath && (iface is null || iface == DBusNames.DaemonInterface))
            Method(context, view!);
        else
            context.ReplyUnknownMethodError();
        return default;
    }

    private static (string? Interface, IReadOnlyList<KeyValuePair<string, DBusValue>>? Properties) ObjectAt(string path, RouterView? view)
    {
        if (view is null) return (null, null);
        if (path == DBusNames.DaemonPath) return (DBusNames.DaemonInterface, DBusProperties.Daemon(view));
        var instance = view.Instances.FirstOrDefault(i => DBusNames.InstancePath(i.Name) == path);
        return instance is null ? (null, null) : (DBusNames.InstanceInterface, DBusProperties.Instance(instance));
    }

    private static void Introspect(MethodContext context, string path, RouterView? view)
    {
        var instances = view?.Instances ?? [];
        if (path == DBusNames.DaemonPath)
            context.ReplyIntrospectXml([DBusIntrospection.Properties, DBusIntrospection.Daemon], ["Instance"]);
        else if (path == DBusNames.InstancePathPrefix.TrimEnd('/'))
            context.ReplyIntrospectXml([], instances.Select(i => DBusNames.PathElement(i.Name)).ToArray());
        else if (instances.Any(i => DBusNames.InstancePath(i.Name) == path))
            context.ReplyIntrospectXml([DBusIntrospection.Properties, DBusIntrospection.Instance], Array.Empty<string>());
        else
            context.ReplyError(DBusNames.ErrorUnknownObject, $"no object {SafeText.Clean(path)}");
    }

    private static void Properties(MethodContext context, string objectInterface, IReadOnlyList<KeyValuePair<string, DBusValue>> properties)
    {
        var request = context.Request;
        var member = request.MemberAsString;
        var signature = request.SignatureAsString ?? "";
        if (member == "Set")
        {
            context.ReplyError(DBusNames.ErrorReadOnly, "every property of routerha is read-only");
            return;
        }
        if (member is not ("Get" or "GetAll") || signature != (member == "Get" ? "ss" : "s"))
        {
            context.ReplyUnknownMethodError();
            return;
        }
        var reader = request.GetBodyReader();
        var iface = reader.ReadString();
        // An empty interface name means "any" (D-Bus specification); another interface has no properties here.
        if (iface.Length > 0 && iface != objectInterface)
        {
            context.ReplyError(DBusNames.ErrorUnknownInterface, $"no interface {SafeText.Clean(iface)} here");
            return;
        }
        if (member == "GetAll")
        {
            var all = context.CreateReplyWriter("a{sv}");
            try
            {
                WriteDictionary(ref all, properties);
                context.Reply(all.CreateMessage());
            }
            finally
            {
                all.Dispose();
            }
            return;
        }
        var name = reader.ReadString();
        // A loop, not LINQ over the KeyValuePair struct (binary size: toolchain/README.md, "Size options").
        DBusValue? value = null;
        foreach (var (key, v) in properties)
        {
            if (key != name) continue;
            value = v;
            break;
        }
        if (value is null)
        {
            context.ReplyError(DBusNames.ErrorUnknownProperty, $"no property {SafeText.Clean(name)} on {objectInterface}");
            return;
        }
        var writer = context.CreateReplyWriter("v");
        try
        {
            value.WriteVariant(ref writer);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private void Method(MethodContext context, RouterView view)
    {
        var request = context.Request;
        var signature = request.SignatureAsString ?? "";
        switch (request.MemberAsString, signature)
        {
            case ("Switchover", "s"):
                var name = request.GetBodyReader().ReadString();
                // Empty is refused, not read as "all": a script with an unset variable must not hand over everything.
                if (name.Length == 0)
                    context.ReplyError(DBusNames.ErrorInvalidArgs, "Switchover needs an instance name; SwitchoverAll hands over every instance");
                else if (view.Instances.All(i => i.Name != name))
                    context.ReplyError(DBusNames.ErrorUnknownInstance,
                        $"no instance named '{SafeText.Clean(name, 64)}' (instances: {string.Join(", ", view.Instances.Select(i => i.Name))})");
                else
                    Answer(context, _commands("switchover", name, null));
                break;
            case ("SwitchoverAll", ""):
                Answer(context, _commands("switchover", null, null));
                break;
            case ("SetMaintenance", "b"):
                Answer(context, _commands("maintenance", null, request.GetBodyReader().ReadBool()));
                break;
            default:
                context.ReplyUnknownMethodError();
                break;
        }
    }

    /// <summary>The loop answers on its own time: the bus reader goes on meanwhile (reads, other calls).</summary>
    private static void Answer(MethodContext context, Task<(bool Ok, string Message)> reply)
    {
        context.DisposesAsynchronously = true;
        _ = AnswerAsync(context, reply);
    }

    private static async Task AnswerAsync(MethodContext context, Task<(bool Ok, string Message)> reply)
    {
        try
        {
            var (ok, message) = await reply.WaitAsync(CommandTimeout);
            if (!ok)
            {
                context.ReplyError(DBusNames.ErrorRefused, SafeText.Clean(message));
                return;
            }
            var writer = context.CreateReplyWriter("s");
            try
            {
                writer.WriteString(SafeText.Clean(message) ?? "");
                context.Reply(writer.CreateMessage());
            }
            finally
            {
                writer.Dispose();
            }
        }
        catch (TimeoutException)
        {
            context.ReplyError(DBusNames.ErrorNotReady, $"routerha did not answer within {CommandTimeout.TotalSeconds:0} s");
        }
        finally
        {
            context.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _connection?.Dispose();
    }
}
