using Router.Core.Config;

namespace Router.Core.Tests.Config;

public class UciParserTests
{
    private static (UciDocument Doc, List<ConfigError> Errors) Parse(string text)
    {
        var errors = new List<ConfigError>();
        var doc = UciParser.Parse("/etc/config/routerha", text, errors);
        return (doc, errors);
    }

    private static UciDocument ParseOk(string text)
    {
        var (doc, errors) = Parse(text);
        Assert.Empty(errors);
        return doc;
    }

    [Fact]
    public void SectionsOptionsAndListsKeepTheirLines()
    {
        var doc = ParseOk("""
            package routerha

            config global
            	option log_level 'debug'

            config instance 'lan'
            	option vrid 51
            	list vip '192.168.1.254/24'
            	list vip '192.168.1.253/24'
            """);
        Assert.Equal(2, doc.Sections.Count);
        Assert.Equal(new UciSection("global", null, 3, doc.Sections[0].Options), doc.Sections[0]);
        Assert.Equal(new UciOption("log_level", "debug", false, 4), doc.Sections[0].Options.Single());
        var lan = doc.Sections[1];
        Assert.Equal(("instance", "lan", 6), (lan.Type, lan.Name, lan.Line));
        Assert.Equal(
            [new UciOption("vrid", "51", false, 7), new UciOption("vip", "192.168.1.254/24", true, 8), new UciOption("vip", "192.168.1.253/24", true, 9)],
            lan.Options);
    }

    [Theory]
    [InlineData("option x plain", "plain")]
    [InlineData("option x 'single quoted'", "single quoted")]
    [InlineData("option x \"double quoted\"", "double quoted")]
    [InlineData("option x 'no \\escape in single'", "no \\escape in single")]
    [InlineData("option x \"a \\\"b\\\" c\"", "a \"b\" c")]
    [InlineData("option x \"back\\\\slash\"", "back\\slash")]
    [InlineData("option x 'it'\\''s'", "it's")]
    [InlineData("option x 'a'\"b\"c", "abc")]
    [InlineData("option x ''", "")]
    [InlineData("option x '# not a comment'", "# not a comment")]
    [InlineData("option x value # trailing comment", "value")]
    [InlineData("option x val#ue", "val")]
    [InlineData("\toption   x\t  'tabs and spaces'  ", "tabs and spaces")]
    [InlineData("option x 'crlf'\r", "crlf")]
    public void ValuesAreUnquotedLikeUci(string line, string expected)
    {
        var doc = ParseOk("config instance 'a'\n" + line + "\n");
        Assert.Equal(expected, doc.Sections[0].Options.Single().Value);
    }

    [Fact]
    public void CommentsAndBlankLinesAreSkipped()
    {
        var doc = ParseOk("# header\n\n   # indented comment\nconfig global # trailing\n\n\toption syslog 0\n");
        var g = Assert.Single(doc.Sections);
        Assert.Equal(4, g.Line);
        Assert.Equal(6, g.Options.Single().Line);
    }

    [Fact]
    public void SemicolonSeparatesStatementsOnOneLine()
    {
        var doc = ParseOk("config instance 'a'; option vrid 5; list vip '10.0.0.1'\n");
        Assert.Equal(["vrid", "vip"], doc.Sections[0].Options.Select(o => o.Name));
        Assert.All(doc.Sections[0].Options, o => Assert.Equal(1, o.Line));
    }

    [Fact]
    public void EmptyTextIsAnEmptyDocument()
    {
        Assert.Empty(ParseOk("").Sections);
    }

    [Theory]
    [InlineData("\toption x 'open", "unterminated ' quote")]
    [InlineData("\toption x \"open", "unterminated \" quote")]
    [InlineData("\toption x \"ends in backslash\\", "unterminated \" quote")]
    [InlineData("\toption x continued \\", "line continuation is not supported")]
    [InlineData("\toption vrid", "option 'vrid' has no value")]
    [InlineData("\tlist vip", "list 'vip' has no value")]
    [InlineData("\toption", "'option' needs a name and a value")]
    [InlineData("\toption auth_pass two words", "has more than one value")]
    [InlineData("\toption 'bad-name' 1", "invalid option name 'bad-name'")]
    [InlineData("\tvalue x 1", "unknown keyword 'value'")]
    [InlineData("config", "'config' needs a section type")]
    [InlineData("config instance a b", "too many words after 'config'")]
    [InlineData("config instance 'my lan'", "invalid section name 'my lan'")]
    [InlineData("config 'inst-ance' a", "invalid section type 'inst-ance'")]
    public void SyntaxErrorsNameTheRightLine(string badLine, string message)
    {
        var (_, errors) = Parse($"# comment\nconfig instance 'a'\n\toption vrid 1\n{badLine}\n\toption priority 100\n");
        var e = Assert.Single(errors);
        Assert.Equal(4, e.Line);
        Assert.Contains(message, e.Message);
        Assert.StartsWith("/etc/config/routerha:4: ", e.ToString());
    }

    [Theory]
    [InlineData("\toption interface 'br-lan\0'", 0x00, 26)]
    [InlineData("\toption interface br-lan\0", 0x00, 25)]
    [InlineData("\toption interface \"br\u001b[2J\"", 0x1B, 22)]
    [InlineData("\toption x 'a\rb'", 0x0D, 13)]
    [InlineData("\toption x 'a\u007f'", 0x7F, 13)]
    [InlineData("\toption x 'a\u0085'", 0x85, 13)]
    [InlineData("\toption x 1 # comment \u0007", 0x07, 23)]
    [InlineData("\0", 0x00, 1)]
    public void AControlCharacterAnywhereInALineIsRefusedByFileLineAndColumn(string badLine, int code, int column)
    {
        var (doc, errors) = Parse($"# comment\nconfig instance 'a'\n\toption vrid 1\n{badLine}\n\toption priority 100\n");
        var e = Assert.Single(errors);
        Assert.Equal($"/etc/config/routerha:4: control character U+{code:X4} at column {column} (only tab may appear in a line, quoted or not)",
            e.ToString());
        // The line is not applied, not even the part before the character; the next line is.
        Assert.Equal(["vrid", "priority"], doc.Sections.Single().Options.Select(o => o.Name));
    }

    [Fact]
    public void StatementsEndedBeforeAControlCharacterStandAndTheOneItCutsDoesNot()
    {
        var (doc, errors) = Parse("config instance 'a'\n\toption vrid 1; option interface 'eth0\0x'; option priority 1\nconfig global\0\n\toption x 1\n");
        Assert.Equal([2, 3], errors.Select(e => e.Line));
        Assert.Equal(["vrid"], doc.Sections.Single().Options.Select(o => o.Name));
    }

    [Fact]
    public void ANewlineInsideQuotesIsStillRefusedAsAnUnterminatedQuote()
    {
        var (_, errors) = Parse("config instance 'a'\n\toption interface 'br\nlan'\n");
        Assert.Equal([2, 3], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.Contains("unterminated ' quote", e.Message));
    }

    [Fact]
    public void OptionBeforeAnySectionIsAnError()
    {
        var (_, errors) = Parse("\n\toption vrid 1\nconfig instance 'a'\n");
        var e = Assert.Single(errors);
        Assert.Equal(2, e.Line);
        Assert.Contains("option 'vrid' appears before any 'config' section", e.Message);
    }

    [Fact]
    public void EverySyntaxErrorIsReportedAndABadHeaderDoesNotCascade()
    {
        var (doc, errors) = Parse("config instance 'a b'\n\toption vrid 1\nconfig instance 'ok'\n\toption x 'open\n\tlist vip\n\toption priority 100\n");
        Assert.Equal([1, 4, 5], errors.Select(e => e.Line));
        // The rejected section and the broken lines are dropped; the rest is still read.
        var ok = Assert.Single(doc.Sections);
        Assert.Equal("ok", ok.Name);
        Assert.Equal("priority", ok.Options.Single().Name);
    }

    [Fact]
    public void HeaderCutShortBySyntaxErrorEndsTheSectionBefore()
    {
        var (doc, errors) = Parse("config leases\n\toption db_path '/tmp/l.db'\nconfig global 'main\n\toption enabled '0'\nconfig instance 'ok'\n\toption vrid 1\n");
        Assert.Equal([3], errors.Select(e => e.Line));
        Assert.Equal(["leases", "instance"], doc.Sections.Select(s => s.Type));
        Assert.Equal("db_path", doc.Sections[0].Options.Single().Name);
        Assert.Equal("vrid", doc.Sections[1].Options.Single().Name);
    }
}
