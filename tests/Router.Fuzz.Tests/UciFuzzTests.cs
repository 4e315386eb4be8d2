using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Router.Core.Config;
using Router.Core.Net;
using Xunit.Abstractions;

namespace Router.Fuzz.Tests;

/// <summary>
/// /etc/config/routerha is edited by hand, by LuCI and by scripts, and may be cut short by a full overlay: the
/// parser and the loader must turn any text into a config or into file:line errors, never throw, and stay
/// within memory proportional to the file.
/// </summary>
public sealed class UciFuzzTests(ITestOutputHelper output)
{
    private static readonly string Example = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "routerha.example"));

    private static readonly Gen<string> Name =
        Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Elements("abcxyz_019ABZ".ToCharArray()), n)).Select(cs => new string(cs));

    /// <summary>A value: anything on one line (the config parser refuses control characters, so none here).</summary>
    private static readonly Gen<string> Value =
        Inputs.ValidText(40).Select(s => new string(s.Where(c => !char.IsControl(c)).ToArray()));

    private sealed record Option(string Name, string Value, bool IsList);

    private sealed record Section(string Type, string? Name, Option[] Options);

    private static readonly Gen<Section[]> Documents = Gen.Choose(0, 12).SelectMany(sections => Gen.ArrayOf(
        from type in Name
        from name in Gen.OneOf(Gen.Constant<string?>(null), Name.Select(n => (string?)n))
        from count in Gen.Choose(0, 6)
        from options in Gen.ArrayOf(
            from n in Name
            from v in Value
            from list in Gen.Elements(true, false)
            select new Option(n, v, list), count)
        select new Section(type, name, options), sections));

    [Fact]
    public void WrittenOptionsAreReadBackWhateverTheirQuoting()
    {
        var gen =
            from doc in Documents
            from styles in Gen.ArrayOf(Gen.Choose(0, 2), 64)
            select (doc, styles);
        FuzzRun.Check(output, "uci round trip", gen, input =>
        {
            var (doc, styles) = input;
            var text = new StringBuilder();
            var k = 0;
            foreach (var s in doc)
            {
                text.Append("config ").Append(s.Type).Append(s.Name is null ? "" : " " + Quote(s.Name, styles[k++ % styles.Length])).Append('\n');
                foreach (var o in s.Options)
                    text.Append('\t').Append(o.IsList ? "list " : "option ").Append(o.Name).Append(' ').Append(Quote(o.Value, styles[k++ % styles.Length])).Append('\n');
            }
            var errors = new List<ConfigError>();
            var parsed = UciParser.Parse("/etc/config/routerha", text.ToString(), errors);
            Assert.Empty(errors);
            Assert.Equal(doc.Select(s => (s.Type, s.Name)), parsed.Sections.Select(s => (s.Type, s.Name)));
            Assert.Equal(doc.SelectMany(s => s.Options).Select(o => (o.Name, o.Value, o.IsList)),
                parsed.Sections.SelectMany(s => s.Options).Select(o => (o.Name, o.Value, o.IsList)));
        });
    }

    /// <summary>The three ways uci writes a word: single quotes ('\'' for a quote), double quotes with escapes, bare with escapes.</summary>
    private static string Quote(string value, int style) => style switch
    {
        0 => "'" + value.Replace("'", "'\\''") + "'",
        1 => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
        _ => value.Length == 0 ? "''" : string.Concat(value.Select(c => char.IsAsciiLetterOrDigit(c) ? c.ToString() : "\\" + c)),
    };

    /// <summary>The example configuration, damaged line by line: a line dropped, doubled, moved or replaced.</summary>
    private static readonly Gen<string> DamagedExample =
        from count in Gen.Choose(1, 6)
        from edits in Gen.ArrayOf(
            from op in Gen.Choose(0, 3)
            from at in Gen.Choose(0, 1000)
            from text in Gen.OneOf(Inputs.Text(60), Value.Select(v => $"\toption priority '{v}'"), Name.Select(n => $"config {n}"))
            select (op, at, text), count)
        select Edit(Example, edits);

    private static string Edit(string text, (int Op, int At, string Text)[] edits)
    {
        var lines = text.Split('\n').ToList();
        foreach (var (op, at, replacement) in edits)
        {
            var i = at % lines.Count;
            switch (op)
            {
                case 0: lines.RemoveAt(i); if (lines.Count == 0) lines.Add(""); break;
                case 1: lines.Insert(i, lines[i]); break;
                case 2: lines.Insert(i, replacement); break;
                default: lines[i] = replacement; break;
            }
        }
        return string.Join('\n', lines);
    }

    private static readonly Gen<string> HostileText = Gen.OneOf(
        Inputs.Text(400),
        DamagedExample,
        Inputs.Damaged(Gen.Constant(Encoding.UTF8.GetBytes(Example))).Select(Encoding.UTF8.GetString),
        // One long unknown name or value: what "did you mean" compares with every known one.
        from name in Gen.Elements("option", "config", "list")
        from length in Gen.Choose(100, 4000)
        select $"config global 'main'\n\t{name} {new string('q', length)} '{new string('w', length)}'\n\toption log_level '{new string('v', length)}'\n");

    private static readonly IReadOnlyList<IpPrefix> LanAddresses = [Prefix("192.168.1.1/24"), Prefix("fd00:1::1/64")];

    private static IpPrefix Prefix(string text) => IpPrefix.TryParse(text, out var p) ? p : throw new ArgumentException(text);

    [Fact]
    public void AnyTextIsParsedIntoSectionsOrErrorsWithBoundedMemory()
    {
        FuzzRun.Check(output, "uci parse hostile", HostileText, text =>
        {
            var errors = new List<ConfigError>();
            Budget.Allocation(text.Length, 16 * 1024, 64, () => UciParser.Parse("/etc/config/routerha", text, errors));
            Assert.All(errors, e => Assert.InRange(e.Line, 1, text.Count(c => c == '\n') + 1));
        });
    }

    [Fact]
    public void AnyTextLoadsIntoAConfigOrIntoFileLineErrorsWithBoundedMemory()
    {
        var gen =
            from text in HostileText
            from devicesExist in Gen.Elements(true, false)
            select (text, devicesExist);
        FuzzRun.Check(output, "config load hostile", gen, input =>
        {
            var errors = new List<ConfigError>();
            var config = Budget.Allocation(input.text.Length, 256 * 1024, 64, () =>
                ConfigLoader.LoadText("/etc/config/routerha", input.text, _ => input.devicesExist ? LanAddresses : null, errors));
            Assert.True(config is null == errors.Count > 0, $"config {(config is null ? "refused" : "accepted")} with {errors.Count} errors");
            var lenient = new List<ConfigError>();
            Budget.Allocation(input.text.Length, 64 * 1024, 64, () => ConfigLoader.LoadGlobalAndLeasesText("/etc/config/routerha", input.text, lenient));
        });
    }
}
