using System.Text;

namespace Router.Core.Config;

/// <summary>
/// Splits one line into statements of words the way uci does: blanks separate words, '...' is literal,
/// "..." and bare words take backslash escapes (the next character as is), adjacent pieces join into
/// one word, # starts a comment and ; ends a statement. Quotes must close on the same line.
/// </summary>
internal static class UciTokenizer
{
    /// <summary>
    /// Statements completed before any syntax error; the error (if any) is returned in <paramref name="error"/>,
    /// with the words of the statement it cut short in <paramref name="unfinished"/>.
    /// </summary>
    /// <remarks>A control character other than tab (a NUL, a carriage return inside the line, an escape) is refused
    /// wherever it is, quoted or not: it has no use in a config, and a NUL in an interface name reaches the kernel as a
    /// shorter name than the one shown. The statement it appears in is cut short there.</remarks>
    public static List<List<string>> Split(string line, out string? error, out List<string> unfinished)
    {
        var bad = FirstControl(line);
        if (bad < 0) return Tokenize(line, false, out error, out unfinished);
        var statements = Tokenize(line[..bad], true, out _, out unfinished);
        error = $"control character U+{(int)line[bad]:X4} at column {bad + 1} (only tab may appear in a line, quoted or not)";
        return statements;
    }

    private static int FirstControl(string line)
    {
        for (var i = 0; i < line.Length; i++)
            if (char.IsControl(line[i]) && line[i] != '\t') return i;
        return -1;
    }

    /// <param name="cut">The line was cut before a refused character: the statement in progress is unfinished, not complete.</param>
    private static List<List<string>> Tokenize(string line, bool cut, out string? error, out List<string> unfinished)
    {
        error = null;
        var statements = new List<List<string>>();
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            switch (c)
            {
                case ' ' or '\t':
                    EndWord();
                    i++;
                    break;
                case '#':
                    i = line.Length;
                    break;
                case ';':
                    EndWord();
                    EndStatement();
                    i++;
                    break;
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0) { error = "unterminated ' quote (quotes must close on the same line)"; unfinished = words; return statements; }
                    word.Append(line, i + 1, close - i - 1);
                    inWord = true;
                    i = close + 1;
                    break;
                case '"':
                    i++;
                    inWord = true;
                    while (true)
                    {
                        if (i >= line.Length) { error = "unterminated \" quote (quotes must close on the same line)"; unfinished = words; return statements; }
                        var d = line[i];
                        if (d == '"') { i++; break; }
                        if (d == '\\')
                        {
                            if (i + 1 >= line.Length) { error = "unterminated \" quote (quotes must close on the same line)"; unfinished = words; return statements; }
                            d = line[++i];
                        }
                        word.Append(d);
                        i++;
                    }
                    break;
                case '\\':
                    if (i + 1 >= line.Length) { error = "backslash at end of line (line continuation is not supported)"; unfinished = words; return statements; }
                    word.Append(line[i + 1]);
                    inWord = true;
                    i += 2;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    i++;
                    break;
            }
        }
        EndWord();
        if (cut)
        {
            unfinished = words;
            return statements;
        }
        EndStatement();
        unfinished = [];
        return statements;

        void EndWord()
        {
            if (!inWord) return;
            words.Add(word.ToString());
            word.Clear();
            inWord = false;
        }

        void EndStatement()
        {
            if (words.Count == 0) return;
            statements.Add(words);
            words = [];
        }
    }
}
