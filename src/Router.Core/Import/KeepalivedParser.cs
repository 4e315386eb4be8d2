namespace Router.Core.Import;

/// <summary>What the parser read: the statements of all files (includes spliced in), notes, and syntax errors.</summary>
public sealed record KeepalivedParse(IReadOnlyList<KeepalivedNode> Nodes, IReadOnlyList<ImportNote> Notes, IReadOnlyList<ImportNote> SyntaxErrors);

/// <summary>
/// Reads keepalived.conf syntax into a tree: words separated by blanks, <c>"..."</c> as one word, <c>#</c> and
/// <c>!</c> start a comment anywhere outside quotes, <c>{</c> and <c>}</c> are words of their own even when
/// written against another word, and a statement ends at the end of its line. <c>include</c> lines are replaced
/// by the files they name, as keepalived does: a glob, relative to the directory of the including file.
/// </summary>
public static class KeepalivedParser
{
    private static readonly string[] IncludeKeywords = ["include", "includer", "includem", "includew", "includeb", "includea"];

    private enum Kind { Word, Open, Close, EndOfLine }

    private sealed record Token(Kind Kind, string Text, string File, int Line);

    public static KeepalivedParse Parse(string path, IKeepalivedFiles files)
    {
        var notes = new List<ImportNote>();
        var errors = new List<ImportNote>();
        var tokens = new List<Token>();
        var text = files.Read(path);
        if (text is null)
        {
            errors.Add(new ImportNote(path, 0, "cannot read the file", true));
            return new KeepalivedParse([], notes, errors);
        }
        Tokenize(path, text, files, [path], tokens, notes, errors);
        var nodes = Build(tokens, errors);
        return new KeepalivedParse(nodes, notes, errors);
    }

    private static void Tokenize(string path, string text, IKeepalivedFiles files, List<string> including, List<Token> tokens,
        List<ImportNote> notes, List<ImportNote> errors)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNo = i + 1;
            var line = lines[i].TrimEnd('\r');
            var words = SplitLine(line, path, lineNo, errors);
            if (words.Count > 0 && words[0].Kind == Kind.Word && IncludeKeywords.Contains(words[0].Text))
            {
                Include(path, lineNo, words, files, including, tokens, notes, errors);
                continue;
            }
            if (words.Count > 0 && words[0].Kind == Kind.Word && words[0].Text.Length > 0 && words[0].Text[0] is '@' or '$')
            {
                // Conditional lines and parameter definitions depend on keepalived's command line and environment.
                notes.Add(new ImportNote(path, lineNo,
                    $"'{Short(words[0].Text)}': keepalived's conditional configuration and $parameters are not expanded; write the lines this router needs plainly and import again — dropped", true));
                continue;
            }
            tokens.AddRange(words);
            tokens.Add(new Token(Kind.EndOfLine, "", path, lineNo));
        }
    }

    private static void Include(string path, int lineNo, List<Token> words, IKeepalivedFiles files, List<string> including,
        List<Token> tokens, List<ImportNote> notes, List<ImportNote> errors)
    {
        if (words.Count != 2 || words[1].Kind != Kind.Word)
        {
            errors.Add(new ImportNote(path, lineNo, $"{words[0].Text} needs exactly one file name or pattern", true));
            return;
        }
        var pattern = words[1].Text;
        pattern = Path.GetFullPath(pattern.StartsWith('/') ? pattern : Path.Combine(DirectoryOf(path), pattern));
        var glob = GlobPattern.HasWildcard(pattern);
        var matches = glob ? files.Expand(pattern) : [pattern];
        if (glob && matches.Count == 0)
        {
            notes.Add(new ImportNote(path, lineNo, $"{words[0].Text} {words[1].Text}: no file matches (nothing included)", false));
            return;
        }
        foreach (var file in matches)
        {
            if (including.Contains(file))
            {
                notes.Add(new ImportNote(path, lineNo,
                    $"include loop: {file} is already being read ({string.Join(" -> ", including)}); not included again", true));
                continue;
            }
            var text = files.Read(file);
            if (text is null)
            {
                notes.Add(new ImportNote(path, lineNo, $"{words[0].Text} {file}: cannot read the file — its contents are missing from the import", true));
                continue;
            }
            including.Add(file);
            Tokenize(file, text, files, including, tokens, notes, errors);
            including.RemoveAt(including.Count - 1);
        }
    }

    private static string DirectoryOf(string path) => Path.GetDirectoryName(path) is { Length: > 0 } d ? d : "/";

    private static List<Token> SplitLine(string line, string path, int lineNo, List<ImportNote> errors)
    {
        var result = new List<Token>();
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '#' or '!') break;
            if (c is '{' or '}')
            {
                result.Add(new Token(c == '{' ? Kind.Open : Kind.Close, c.ToString(), path, lineNo));
                i++;
                continue;
            }
            if (c == '"')
            {
                var end = line.IndexOf('"', i + 1);
                if (end < 0)
                {
                    errors.Add(new ImportNote(path, lineNo, $"a quote opened at column {i + 1} is not closed on its line", true));
                    return result;
                }
                result.Add(new Token(Kind.Word, line[(i + 1)..end], path, lineNo));
                i = end + 1;
                continue;
            }
            var start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not ('{' or '}' or '#' or '!' or '"')) i++;
            result.Add(new Token(Kind.Word, line[start..i], path, lineNo));
        }
        return result;
    }

    private sealed class Frame(string keyword, List<string> args, string file, int line)
    {
        public List<KeepalivedNode> Children { get; } = [];
        public KeepalivedNode Close() => new(keyword, args, Children, file, line);
        public string File => file;
        public int Line => line;
        public string Keyword => keyword;
    }

    private static List<KeepalivedNode> Build(List<Token> tokens, List<ImportNote> errors)
    {
        var top = new List<KeepalivedNode>();
        var stack = new Stack<Frame>();
        var words = new List<string>();
        var file = "";
        var line = 0;
        var lastEndedByLine = false;

        List<KeepalivedNode> Current() => stack.Count > 0 ? stack.Peek().Children : top;

        void Flush()
        {
            if (words.Count == 0) return;
            Current().Add(new KeepalivedNode(words[0], words.Skip(1).ToList(), null, file, line));
            words.Clear();
        }

        foreach (var t in tokens)
        {
            switch (t.Kind)
            {
                case Kind.Word:
                    if (words.Count == 0) (file, line) = (t.File, t.Line);
                    words.Add(t.Text);
                    lastEndedByLine = false;
                    break;
                case Kind.Open:
                    if (words.Count > 0)
                    {
                        stack.Push(new Frame(words[0], words.Skip(1).ToList(), file, line));
                        words.Clear();
                    }
                    else if (lastEndedByLine && Current() is { Count: > 0 } siblings && siblings[^1].Block is null)
                    {
                        // "vrrp_instance VI_1" with its brace on the next line.
                        var last = siblings[^1];
                        siblings.RemoveAt(siblings.Count - 1);
                        stack.Push(new Frame(last.Keyword, last.Args.ToList(), last.File, last.Line));
                    }
                    else
                    {
                        errors.Add(new ImportNote(t.File, t.Line, "'{' without a keyword before it", true));
                        stack.Push(new Frame("", [], t.File, t.Line));
                    }
                    lastEndedByLine = false;
                    break;
                case Kind.Close:
                    Flush();
                    if (stack.Count == 0)
                        errors.Add(new ImportNote(t.File, t.Line, "'}' closes nothing (unbalanced braces)", true));
                    else
                    {
                        var node = stack.Pop().Close();
                        Current().Add(node);
                    }
                    lastEndedByLine = false;
                    break;
                default:
                    var hadWords = words.Count > 0;
                    Flush();
                    lastEndedByLine = hadWords || lastEndedByLine;
                    break;
            }
        }
        Flush();
        while (stack.Count > 0)
        {
            var open = stack.Pop();
            errors.Add(new ImportNote(open.File, open.Line, $"the '{{' of '{open.Keyword}' is never closed (unbalanced braces)", true));
        }
        return top;
    }

    internal static string Short(string text) => Router.Core.Text.SafeText.Clean(text, 60)!;
}
