namespace Router.LabKit;

/// <summary>
/// A notify script (called as SCRIPT INSTANCE NAME STATE PRIORITY by both daemons) that records the last
/// state in a file, replaced atomically so a reader never sees a half-written value.
/// </summary>
public sealed class NotifyScript
{
    public string ScriptPath { get; }
    public string StatePath { get; }
    public string HistoryPath { get; }

    public NotifyScript(string dir, string label)
    {
        ScriptPath = Path.Combine(dir, $"notify-{label}.sh");
        StatePath = Path.Combine(dir, $"state-{label}");
        HistoryPath = Path.Combine(dir, $"notify-{label}.log");
        File.WriteAllText(ScriptPath,
            "#!/bin/sh\n" +
            $"echo \"$1 $2 $3 $4\" >> '{HistoryPath}'\n" +
            $"echo \"$3\" > '{StatePath}.tmp.$$' && mv -f '{StatePath}.tmp.$$' '{StatePath}'\n");
        Shell.Check("chmod", "0755", ScriptPath);
    }

    /// <summary>Last state the daemon announced, or null before the first call.</summary>
    public string? LastState
    {
        get
        {
            try { return File.ReadAllText(StatePath).Trim(); }
            catch (FileNotFoundException) { return null; }
        }
    }

    /// <summary>Every call as "INSTANCE NAME STATE PRIORITY" lines.</summary>
    public IReadOnlyList<string> History =>
        File.Exists(HistoryPath) ? File.ReadAllLines(HistoryPath) : [];
}
