namespace Router.Integrations.Notify;

/// <summary>
/// Splits a keepalived-style script string ("/etc/ha/notify.sh arg 'two words'") into argv without a shell,
/// so a config value never becomes shell code.
/// </summary>
public static class CommandLine
{
    public static IReadOnlyList<string> Split(string text)
    {
        var args = new List<string>();
        var current = new System.Text.StringBuilder();
        var inArg = false;
        var quote = '\0';
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else current.Append(c);
                continue;
            }
            if (c is '\'' or '"') { quote = c; inArg = true; continue; }
            if (char.IsWhiteSpace(c))
            {
                if (inArg) { args.Add(current.ToString()); current.Clear(); inArg = false; }
                continue;
            }
            current.Append(c);
            inArg = true;
        }
        if (inArg) args.Add(current.ToString());
        return args;
    }
}
