using System.Text;

namespace Router.Luci.Tests;

/// <summary>One section of a UCI file: type, name (null = anonymous), options in file order (a list has several values).</summary>
public sealed class UciSection(string type, string? name)
{
    public string Type { get; } = type;
    public string? Name { get; set; } = name;
    public List<(string Name, List<string> Values, bool IsList)> Options { get; } = [];

    public string? Get(string option) => Options.FirstOrDefault(o => o.Name == option).Values?.FirstOrDefault();

    public IReadOnlyList<string> GetList(string option) => Options.FirstOrDefault(o => o.Name == option).Values ?? [];

    public void Set(string option, IReadOnlyList<string> values, bool isList)
    {
        var i = Options.FindIndex(o => o.Name == option);
        if (i >= 0) Options[i] = (option, [.. values], isList);
        else Options.Add((option, [.. values], isList));
    }

    public void Remove(string option) => Options.RemoveAll(o => o.Name == option);
}

/// <summary>
/// /etc/config/NAME as the uci library reads and writes it: `config TYPE ['NAME']`, `option NAME 'VALUE'`,
/// `list NAME 'VALUE'`, comments and blank lines skipped. Enough of the format for the harness's stand-in of
/// rpcd's uci object; the daemon under test reads the written file with its own parser.
/// </summary>
public sealed class UciFile
{
    public List<UciSection> Sections { get; } = [];

    public static UciFile Parse(string text)
    {
        var file = new UciFile();
        UciSection? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var words = Words(raw);
            if (words.Count == 0) continue;
            switch (words[0])
            {
                case "config":
                    current = new UciSection(words[1], words.Count > 2 ? words[2] : null);
                    file.Sections.Add(current);
                    break;
                case "option" when current is not null:
                    current.Set(words[1], [words.Count > 2 ? words[2] : ""], isList: false);
                    break;
                case "list" when current is not null:
                    var i = current.Options.FindIndex(o => o.Name == words[1]);
                    if (i >= 0) current.Options[i].Values.Add(words[2]);
                    else current.Options.Add((words[1], [words[2]], true));
                    break;
            }
        }
        return file;
    }

    public override string ToString()
    {
        var b = new StringBuilder();
        foreach (var s in Sections)
        {
            b.Append("config ").Append(s.Type);
            if (s.Name is not null) b.Append(' ').Append(Quote(s.Name));
            b.Append('\n');
            foreach (var (name, values, isList) in s.Options)
                foreach (var v in values)
                    b.Append('\t').Append(isList ? "list " : "option ").Append(name).Append(' ').Append(Quote(v)).Append('\n');
            b.Append('\n');
        }
        return b.ToString();
    }

    private static string Quote(string v) => "'" + v.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Shell-like words: single or double quotes, backslash escapes, # starts a comment.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var b = new StringBuilder();
        var inWord = false;
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < line.Length) b.Append(line[++i]);
                else b.Append(c);
            }
            else if (c is '\'' or '"') { quote = c; inWord = true; }
            else if (c == '\\' && i + 1 < line.Length) { b.Append(line[++i]); inWord = true; }
            else if (c == '#' && !inWord) break;
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(b.ToString());
                b.Clear();
                inWord = false;
            }
            else { b.Append(c); inWord = true; }
        }
        if (inWord) words.Add(b.ToString());
        return words;
    }
}
