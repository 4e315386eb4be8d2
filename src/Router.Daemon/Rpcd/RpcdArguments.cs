using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Daemon.Rpcd;

/// <summary>The JSON type an rpcd method argument has. rpcd builds its ubus policy from the sample value `list`
/// prints for it ("str", true, 32), but forwards whatever the caller sent: the types are checked again here.</summary>
internal enum RpcdType
{
    String,
    Bool,
}

/// <summary>One ubus method of the `routerha` object and the arguments it takes (all optional to ubus).</summary>
internal sealed record RpcdMethod(string Name, IReadOnlyList<(string Name, RpcdType Type)> Arguments);

internal sealed record SwitchoverArgs(string? Instance = null);

internal sealed record MaintenanceArgs(bool? On = null);

internal sealed record GenkeyArgs(string? File = null);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SwitchoverArgs))]
[JsonSerializable(typeof(MaintenanceArgs))]
[JsonSerializable(typeof(GenkeyArgs))]
internal sealed partial class RpcdJson : JsonSerializerContext
{
}

/// <summary>
/// The arguments of a call as rpcd hands them over on stdin: one JSON object, bounded in size, with only the
/// method's own arguments, each of its declared type. Anything else is refused with a sentence for the LuCI user,
/// before the daemon is asked anything.
/// </summary>
internal static class RpcdArguments
{
    /// <summary>rpcd sends a few dozen bytes; anything near this is not a ubus call.</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>The object on stdin, checked against the method's signature; null and the reason when refused.</summary>
    public static JsonElement? Parse(RpcdMethod method, ReadOnlySpan<byte> input, out string? error)
    {
        error = null;
        if (input.Length > MaxBytes)
        {
            error = $"{method.Name}: arguments larger than {MaxBytes} bytes";
            return null;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(input.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException)
        {
            error = $"{method.Name}: the arguments are not a JSON object (send {{}} for none)";
            return null;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"{method.Name}: the arguments must be a JSON object, not {Words(root.ValueKind)}";
                return null;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                var name = Router.Core.Text.SafeText.Clean(p.Name, 40)!;
                if (!seen.Add(p.Name))
                {
                    error = $"{method.Name}: argument '{name}' given twice";
                    return null;
                }
                var declared = method.Arguments.FirstOrDefault(a => a.Name == p.Name);
                if (declared.Name is null)
                {
                    error = $"{method.Name}: unknown argument '{name}' ({Takes(method)})";
                    return null;
                }
                if (!Fits(p.Value.ValueKind, declared.Type))
                {
                    error = $"{method.Name}: '{name}' must be {Words(declared.Type)}, not {Words(p.Value.ValueKind)}";
                    return null;
                }
            }
            return root.Clone();
        }
    }

    public static string Takes(RpcdMethod method) => method.Arguments.Count == 0
        ? "it takes no arguments"
        : "it takes " + string.Join(", ", method.Arguments.Select(a => $"'{a.Name}' ({Words(a.Type)})"));

    private static bool Fits(JsonValueKind kind, RpcdType type) => type switch
    {
        RpcdType.String => kind == JsonValueKind.String,
        RpcdType.Bool => kind is JsonValueKind.True or JsonValueKind.False,
        _ => false,
    };

    private static string Words(RpcdType type) => type switch
    {
        RpcdType.String => "a string",
        RpcdType.Bool => "true or false",
        _ => type.ToString(),
    };

    private static string Words(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
