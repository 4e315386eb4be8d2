namespace Router.Core.Config;

public static class UciParser
{
    /// <summary>Parses UCI syntax (config/option/list, quoting with ' and ", backslash escapes, # comments,
    /// line continuation not supported as in uci). Syntax errors are returned, never thrown.</summary>
    public static UciDocument Parse(string path, string text, List<ConfigError> errors)
    {
        var sections = new List<UciSection>();
        SectionBuilder? current = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNo = i + 1;
            var line = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
            var statements = UciTokenizer.Split(line, out var syntaxError, out var unfinished);
            foreach (var statement in statements)
                Apply(statement, lineNo);
            if (syntaxError is not null)
            {
                errors.Add(new ConfigError(path, lineNo, syntaxError));
                // A header cut short still ends the section before it: its options must not land there
                // (the lenient load of the global and leases sections reads on past syntax errors).
                if (unfinished is ["config", ..])
                {
                    Close();
                    current = SectionBuilder.Invalid(lineNo);
                }
            }
        }
        Close();
        return new UciDocument(path, sections);

        void Apply(List<string> words, int lineNo)
        {
            var keyword = words[0];
            var args = words.Count - 1;
            switch (keyword)
            {
                case "package":
                    // uci accepts a package name inside the file; the file name decides the package anyway.
                    if (args != 1) Error(lineNo, "'package' needs exactly one name");
                    break;
                case "config":
                    Close();
                    if (args == 0) { Error(lineNo, "'config' needs a section type, e.g. config instance 'lan'"); current = SectionBuilder.Invalid(lineNo); break; }
                    if (args > 2) { Error(lineNo, "too many words after 'config' (expected: config TYPE ['NAME'])"); current = SectionBuilder.Invalid(lineNo); break; }
                    var ok = CheckName(lineNo, words[1], "section type");
                    var name = args == 2 ? words[2] : null;
                    if (name is not null) ok &= CheckName(lineNo, name, "section name");
                    current = ok ? new SectionBuilder(words[1], name, lineNo) : SectionBuilder.Invalid(lineNo);
                    break;
                case "option":
                case "list":
                    if (args == 0) { Error(lineNo, $"'{keyword}' needs a name and a value, e.g. {keyword} priority '100'"); break; }
                    var optName = words[1];
                    if (!CheckName(lineNo, optName, $"{keyword} name")) break;
                    if (args == 1) { Error(lineNo, $"{keyword} '{optName}' has no value"); break; }
                    if (args > 2) { Error(lineNo, $"{keyword} '{optName}' has more than one value (quote a value that contains spaces)"); break; }
                    if (current is null) { Error(lineNo, $"{keyword} '{optName}' appears before any 'config' section"); break; }
                    current.Options.Add(new UciOption(optName, words[2], keyword == "list", lineNo));
                    break;
                default:
                    Error(lineNo, $"unknown keyword '{keyword}' (expected config, option, list or package)");
                    break;
            }
        }

        bool CheckName(int lineNo, string name, string what)
        {
            if (IsUciName(name)) return true;
            Error(lineNo, name.Length == 0
                ? $"empty {what}"
                : $"invalid {what} '{name}' (only letters, digits and _ are allowed)");
            return false;
        }

        void Error(int lineNo, string message) => errors.Add(new ConfigError(path, lineNo, message));

        void Close()
        {
            // A section whose header was wrong is dropped with its options: its errors are already reported.
            if (current is { IsValid: true })
                sections.Add(new UciSection(current.Type, current.Name, current.Line, current.Options));
            current = null;
        }
    }

    /// <summary>uci's rule for section types, section names and option names.</summary>
    public static bool IsUciName(string s)
    {
        if (s.Length == 0) return false;
        foreach (var c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    private sealed class SectionBuilder(string type, string? name, int line, bool isValid = true)
    {
        /// <summary>Swallows the options of a section whose header was rejected.</summary>
        public static SectionBuilder Invalid(int line) => new("", null, line, isValid: false);
        public string Type { get; } = type;
        public string? Name { get; } = name;
        public int Line { get; } = line;
        public bool IsValid { get; } = isValid;
        public List<UciOption> Options { get; } = [];
    }
}
