using System.Diagnostics;
using System.Text.Json.Nodes;
using Router.LabKit;

namespace Router.Luci.Tests;

/// <summary>
/// The `routerha` ubus object as rpcd serves it: rpcd runs `/usr/libexec/rpcd/routerha call METHOD` (a shim that
/// execs `routerha rpcd call METHOD`) with the arguments as JSON on stdin and answers with the one JSON object it
/// prints. Here the verb runs the same way against one lab node (ROUTERHA_CONFIG names its config, whose
/// control_socket leads to that node's daemon).
/// </summary>
public sealed class RouterHaUbus(string configPath, IReadOnlyDictionary<string, string>? environment = null)
{
    public JsonNode Call(string method, JsonObject args)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["ROUTERHA_CONFIG"] = configPath };
        var r = Run(["rpcd", "call", method], args.ToJsonString(), env);
        // rpcd answers a plugin that printed no JSON object with UBUS_STATUS_NO_DATA.
        JsonNode? data;
        try { data = JsonNode.Parse(r.StdOut); }
        catch (System.Text.Json.JsonException) { data = null; }
        return data is JsonObject o ? new JsonArray(0, o) : new JsonArray(5);
    }

    private static CommandResult Run(string[] args, string stdin, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(RouterHaBinary.Require())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"routerha {string.Join(' ', args)} did not answer in 15 s");
        }
        p.WaitForExit();
        return new CommandResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
