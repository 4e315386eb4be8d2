using System.Text.Json;

namespace Router.Daemon.Rpcd;

/// <summary>The JSON type an rpcd method argument has. rpcd builds its ubus policy from the sample value `list`
/// prints for it ("str", true, 32), but forwards whatever the caller sent: the types are checked again here.</summary>
internal enum RpcdType
{
    String,
    Bool,
}

/// <summary>One ubus method of the `routerha` object and the arguments it takes (all optional to ubus).</summary>
internal sealed record RpcdMethod(string Name, IReadOnlyList<RpcdArgument> Arguments);

/// <summary>One argument of a method. A class, not a value tuple: LINQ over a struct compiles its own iterator
/// family into the binary (toolchain/README.md, "Size options").</summary>
internal sealed record RpcdArgument(string Name, RpcdType Type);

/// <summary>The arguments of one call, read by name (each method takes at most one of them).</summary>
internal sealed record RpcdValues(string? Instance = null, bool? On = null, string? File = null);

/// <summary>
/// The arguments of a call as rpcd hands them over on stdin: one JSON object, bounded in size, with only the
/// method's own arguments, each of its declared type. Anything else is refused with a sentence for the LuCI user,
/// before the daemon is asked anything.
/// </summary>
internal static class RpcdArguments
{
    /// <summary>rpcd sends a few dozen bytes; anything near this is not a ubus call.</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>Whether the object on stdin fits the method's signature; if not, why. One pass of the reader that
    /// the control client already carries, which also reads the values (a JsonDocument or a serializer context would
    /// cost the binary its own code).</summary>
    public static RpcdValues? Check(RpcdMethod method, ReadOnlySpan<byte> input, out string? error)
    {
        error = null;
        var values = new RpcdValues();
        if (input.Length > MaxBytes)
        {
            error = $"{method.Name}: arguments larger than {MaxBytes} bytes";
            return null;
        }
        var reader = new Utf8JsonReader(input, new JsonReaderOptions { MaxDepth = 4 });
        try
        {
            if (!reader.Read()) throw new JsonException();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = $"{method.Name}: the arguments must be a JSON object, not {Words(reader.TokenType)}";
                return null;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var raw = reader.GetString()!;
                var name = Router.Core.Text.SafeText.Clean(raw, 40)!;
                if (!seen.Add(raw))
                {
                    error = $"{method.Name}: argument '{name}' given twice";
                    return null;
                }
                var declared = method.Arguments.FirstOrDefault(a => a.Name == raw);
                if (declared is null)
                {
                    error = $"{method.Name}: unknown argument '{name}' ({Takes(method)})";
                    return null;
                }
                reader.Read();
                if (!Fits(reader.TokenType, declared.Type))
                {
                    error = $"{method.Name}: '{name}' must be {Words(declared.Type)}, not {Words(reader.TokenType)}";
                    return null;
                }
                values = raw switch
                {
                    "instance" => values with { Instance = reader.GetString() },
                    "on" => values with { On = reader.GetBoolean() },
                    "file" => values with { File = reader.GetString() },
                    _ => values,
                };
            }
            // Anything after the object (a second value, garbage) makes the reader throw here.
            if (reader.Read()) throw new JsonException();
            return values;
        }
        catch (JsonException)
        {
            error = $"{method.Name}: the arguments are not a JSON object (send {{}} for none)";
            return null;
        }
    }

    public static string Takes(RpcdMethod method) => method.Arguments.Count == 0
        ? "it takes no arguments"
        : "it takes " + string.Join(", ", method.Arguments.Select(a => $"'{a.Name}' ({Words(a.Type)})"));

    private static bool Fits(JsonTokenType token, RpcdType type) => type switch
    {
        RpcdType.String => token == JsonTokenType.String,
        RpcdType.Bool => token is JsonTokenType.True or JsonTokenType.False,
        _ => false,
    };

    private static string Words(RpcdType type) => type switch
    {
        RpcdType.String => "a string",
        RpcdType.Bool => "true or false",
        _ => type.ToString(),
    };

    private static string Words(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };
}
