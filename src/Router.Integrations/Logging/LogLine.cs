using Router.Core.Text;

namespace Router.Integrations.Logging;

/// <summary>
/// What a sink writes for one message: one line, whatever the message holds. Messages quote text from peers,
/// brokers, scripts and files; a newline in it would forge a second record and an escape sequence would act on
/// the terminal of whoever runs logread. Sources clean their strings too; this is the last stop.
/// </summary>
public static class LogLine
{
    /// <summary>Long enough for any line the daemon writes itself; a longer one is cut and says by how much.</summary>
    public const int MaxLength = 1000;

    /// <summary>Line breaks fold to a space (our own multi-line texts stay readable), any other control or format
    /// character becomes '?', and the result is at most <see cref="MaxLength"/> characters plus the cut marker.</summary>
    public static string Fold(string message) => SafeText.Clean(message.ReplaceLineEndings(" "), MaxLength)!;
}
