namespace Router.Core.Import;

/// <summary>keepalived script strings as routerha command lines.</summary>
internal static class KeepalivedScripts
{
    /// <summary>
    /// keepalived finds a bare command name on PATH; routerha runs only absolute paths (no shell, no PATH search),
    /// so a bare name goes through /usr/bin/env, which searches PATH as keepalived did.
    /// </summary>
    public static string Command(KeepalivedNode origin, string script, List<ImportNote> notes)
    {
        var text = script.Trim();
        if (text.IndexOfAny(ShellCharacters) >= 0)
        {
            // keepalived ran such lines through a shell; routerha splits them itself, so the shell is named.
            var quoted = text.Contains('\'') ? $"\"{text}\"" : $"'{text}'";
            notes.Add(KeepalivedInstanceMapper.Note(origin,
                $"{origin.Keyword} \"{KeepalivedParser.Short(text)}\" uses shell syntax: routerha runs commands without a shell, so it is written as /bin/sh -c {KeepalivedParser.Short(quoted)}",
                text.Contains('\'') && text.Contains('"')));
            return $"/bin/sh -c {quoted}";
        }
        if (text.StartsWith('/')) return text;
        notes.Add(KeepalivedInstanceMapper.Note(origin,
            $"{origin.Keyword} \"{KeepalivedParser.Short(text)}\": routerha runs commands from absolute paths only; written as '/usr/bin/env {KeepalivedParser.Short(text)}' (better: the command's full path)", false));
        return "/usr/bin/env " + text;
    }

    private static readonly char[] ShellCharacters = ['<', '>', '|', '&', ';', '$', '`', '*', '(', ')'];

    /// <summary>"&lt;/dev/tcp/HOST/PORT", bash's connect test, is a routerha tcp check when HOST is an address.</summary>
    public static (string Host, string Port)? TcpConnect(string script)
    {
        var text = script.Trim();
        if (!text.StartsWith('<')) return null;
        var parts = text[1..].Trim().Split('/');
        if (parts is not ["", "dev", "tcp", var host, var port]) return null;
        if (!System.Net.IPAddress.TryParse(host, out _) || !int.TryParse(port, out var p) || p is < 1 or > 65535) return null;
        return (host, port);
    }

    /// <summary>"killall -0 NAME" and "pidof NAME", the usual keepalived liveness checks, are routerha process checks.</summary>
    public static string? ProcessName(string script)
    {
        var words = script.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var name = words switch
        {
            [var cmd, "-0", var n] when Path.GetFileName(cmd) == "killall" => n,
            [var cmd, var n] when Path.GetFileName(cmd) == "pidof" => n,
            _ => null,
        };
        return name is { Length: >= 1 and <= 15 } && !name.StartsWith('-') ? name : null;
    }
}
