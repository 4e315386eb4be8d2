using System.Text.RegularExpressions;
using Router.LabKit;

namespace Router.Luci.Tests;

/// <summary>`routerha check-config` on a file: its messages by line ("FILE:LINE: message").</summary>
public static partial class CheckConfig
{
    public static ILookup<int, string> Messages(string path)
    {
        var r = Shell.Run(RouterHaBinary.Require(), ["check-config", "-c", path], TimeSpan.FromSeconds(15));
        return (r.StdOut + r.StdErr).Split('\n')
            .Select(l => Line().Match(l))
            .Where(m => m.Success && m.Groups[1].Value == path)
            .ToLookup(m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), m => m.Groups[3].Value);
    }

    /// <summary>The 1-based line of the first `option NAME` / `list NAME` line with this value.</summary>
    public static int LineOf(string text, string option, string value)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var t = lines[i].Trim();
            if ((t.StartsWith($"option {option} ", StringComparison.Ordinal) || t.StartsWith($"list {option} ", StringComparison.Ordinal))
                && t.EndsWith($"'{value}'", StringComparison.Ordinal))
                return i + 1;
        }
        throw new InvalidOperationException($"no line for {option} '{value}' in\n{text}");
    }

    [GeneratedRegex(@"^(.*?):(\d+): (.*)$")]
    private static partial Regex Line();
}
