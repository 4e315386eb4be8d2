using System.Diagnostics;
using System.Text.Json.Nodes;
using Router.LabKit;

namespace Router.Luci.Tests;

/// <summary>
/// The `routerha` ubus object as rpcd serves it: rpcd runs `/usr/libexec/rpcd/routerha call METHOD` (a shim that
/// execs `routerha rpcd call METHOD`) with the arguments as JSON on stdin and answers with the one JSON object it
/// prints. Here the verb runs the same way against one lab node (ROUTERHA_CONFIG names its config, whose
/// control_socket leads to that node's daemon).
/// When the binary has no rpcd verb yet, the same methods are answered through the older CLI verbs.
/// </summary>
public sealed class RouterHaUbus(string configPath, string controlSocket, IReadOnlyDictionary<string, string>? environment = null)
{
    private static readonly Lazy<bool> HasRpcdVerb = new(() =>
    {
        var r = Run(["rpcd", "list"], null, new Dictionary<string, string>());
        return r.ExitCode == 0 && r.StdOut.TrimStart().StartsWith('{');
    });

    public static bool UsesRpcdVerb => HasRpcdVerb.Value;

    public JsonNode Call(string method, JsonObject args)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["ROUTERHA_CONFIG"] = configPath };
        if (HasRpcdVerb.Value)
        {
            var r = Run(["rpcd", "call", method], args.ToJsonString(), env);
            return Answer(JsonNode.Parse(r.StdOut));
        }
        return Answer(method switch
        {
            "status" => CliObject(Run(["status", "--json", "-s", controlSocket], null, env)),
            "leases" => Run(["leases", "--json", "-c", configPath], null, env) is { ExitCode: 0 } l
                ? new JsonObject { ["leases"] = JsonNode.Parse(l.StdOut) }
                : new JsonObject { ["ok"] = false, ["error"] = "leases unavailable" },
            "switchover" => CliAnswer(Run(args["instance"] is { } i
                ? ["switchover", "--instance", (string)i!, "-s", controlSocket]
                : ["switchover", "-s", controlSocket], null, env)),
            "maintenance" => CliAnswer(Run(["maintenance", (bool?)args["on"] == true ? "on" : "off", "-s", controlSocket], null, env)),
            "genkey" => Run(["genkey", (string?)args["file"] ?? "/etc/routerha/peer.key"], null, env) is var g && g.ExitCode == 0
                ? new JsonObject { ["ok"] = true, ["file"] = (string?)args["file"] ?? "/etc/routerha/peer.key" }
                : new JsonObject { ["ok"] = false, ["error"] = g.StdErr.Trim() },
            _ => new JsonObject { ["ok"] = false, ["error"] = $"unknown method '{method}'" },
        });
    }

    private static JsonNode Answer(JsonNode? data) => data is JsonObject o ? new JsonArray(0, o) : new JsonArray(5); // UBUS_STATUS_NO_DATA

    private static JsonNode CliObject(CommandResult r) =>
        r.ExitCode == 0 ? JsonNode.Parse(r.StdOut)! : new JsonObject { ["ok"] = false, ["error"] = r.StdErr.Trim() };

    private static JsonNode CliAnswer(CommandResult r) => r.ExitCode == 0
        ? new JsonObject { ["ok"] = true, ["message"] = r.StdOut.Trim() + r.StdErr.Trim() }
        : new JsonObject { ["ok"] = false, ["error"] = r.StdErr.Trim() };

    private static CommandResult Run(string[] args, string? stdin, Dictionary<string, string> env)
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
        p.StandardInput.Write(stdin ?? "");
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
