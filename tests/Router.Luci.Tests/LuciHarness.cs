using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Router.LabKit;

namespace Router.Luci.Tests;

/// <summary>
/// One router's web interface, on a loopback port: the harness's LuCI core (harness/) and the app's htdocs
/// (luci-app/htdocs) as uhttpd would serve /luci-static/resources, and /ubus answered like rpcd does
/// (JSON-RPC "call" to the `routerha` and `uci` objects).
/// </summary>
public sealed class LuciHarness : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly Func<string, string, JsonObject, JsonNode> _ubus;
    private readonly string _harnessRoot = Path.Combine(AppContext.BaseDirectory, "harness");
    private readonly string _appRoot = Path.Combine(RouterHaBinary.RepoRoot, "luci-app", "htdocs");

    public string Url { get; }
    /// <summary>Every ubus call as "object.method args" (what the page asked the router to do).</summary>
    public List<string> Calls { get; } = [];

    public LuciHarness(Func<string, string, JsonObject, JsonNode> ubus)
    {
        _ubus = ubus;
        // HttpListener cannot bind port 0: take a free port from the kernel, then listen on it.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>A harness for one lab router: `routerha` calls go to its daemon, `uci` calls to its config file.</summary>
    public static LuciHarness For(RouterHaNode node, Action? afterApply = null)
    {
        var routerha = new RouterHaUbus(node.ConfigPath);
        var uci = new RpcdUciStandIn("routerha", node.ConfigPath, afterApply ?? (() => node.RunVerb("reload")));
        return new LuciHarness((obj, method, args) => obj switch
        {
            "routerha" => routerha.Call(method, args),
            "uci" => uci.Call(method, args),
            _ => new JsonArray(4),
        });
    }

    public string Page(string view, string node = "") => $"{Url}?view={view}&node={node}";

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            _ = Task.Run(() => Handle(ctx));
        }
    }

    private void Handle(HttpListenerContext ctx)
    {
        try
        {
            var path = ctx.Request.Url!.AbsolutePath;
            if (ctx.Request.HttpMethod == "POST" && path == "/ubus") Ubus(ctx);
            else if (path == "/") Send(ctx, 200, "text/html", File.ReadAllBytes(Path.Combine(_harnessRoot, "index.html")));
            else if (FindFile(path) is { } file)
                Send(ctx, 200, file.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : "application/javascript", File.ReadAllBytes(file));
            else Send(ctx, 404, "text/plain", Encoding.UTF8.GetBytes("not found"));
        }
        catch (Exception e)
        {
            try { Send(ctx, 500, "text/plain", Encoding.UTF8.GetBytes(e.ToString())); } catch (Exception) { }
        }
    }

    /// <summary>The harness's own files first (luci.js, form.js ...), then the app's.</summary>
    private string? FindFile(string urlPath)
    {
        var rel = urlPath.TrimStart('/');
        if (rel.Contains("..", StringComparison.Ordinal)) return null;
        foreach (var root in new[] { _harnessRoot, _appRoot })
        {
            var full = Path.Combine(root, rel);
            if (File.Exists(full)) return full;
        }
        return null;
    }

    private void Ubus(HttpListenerContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
        var req = JsonNode.Parse(reader.ReadToEnd())!.AsObject();
        var p = req["params"]!.AsArray();
        var (obj, method) = ((string)p[1]!, (string)p[2]!);
        var args = p.Count > 3 && p[3] is JsonObject a ? a : [];
        lock (Calls) Calls.Add($"{obj}.{method} {args.ToJsonString()}");
        var result = _ubus(obj, method, (JsonObject)args.DeepClone());
        var reply = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = req["id"]?.DeepClone(), ["result"] = result };
        Send(ctx, 200, "application/json", Encoding.UTF8.GetBytes(reply.ToJsonString()));
    }

    private static void Send(HttpListenerContext ctx, int status, string type, byte[] body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = type + "; charset=utf-8";
        ctx.Response.Headers["Cache-Control"] = "no-store";
        ctx.Response.OutputStream.Write(body);
        ctx.Response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _serving.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
