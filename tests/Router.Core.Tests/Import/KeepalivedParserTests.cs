using Router.Core.Import;

namespace Router.Core.Tests.Import;

/// <summary>keepalived.conf syntax as keepalived reads it: comments, quotes, blocks, includes.</summary>
public class KeepalivedParserTests
{
    private static KeepalivedParse Parse(string text, params (string, string)[] more) =>
        KeepalivedParser.Parse("/etc/keepalived/keepalived.conf", MemoryFiles.Of([("/etc/keepalived/keepalived.conf", text), .. more]));

    [Fact]
    public void HashAndBangStartCommentsAnywhereOutsideQuotes()
    {
        var p = Parse("""
            ! Configuration File for keepalived
            # another comment
            global_defs {   # trailing
               router_id "lab # one" ! trailing too
            }
            """);
        Assert.Empty(p.SyntaxErrors);
        var global = Assert.Single(p.Nodes);
        Assert.Equal(("global_defs", 3), (global.Keyword, global.Line));
        var id = Assert.Single(global.Block!);
        Assert.Equal(("router_id", 4), (id.Keyword, id.Line));
        Assert.Equal(["lab # one"], id.Args);
    }

    [Fact]
    public void AQuotedScriptIsOneWordWithItsSpaces()
    {
        var p = Parse("vrrp_script chk {\n  script \"/usr/bin/check  --port 80\"\n}\n");
        Assert.Equal(["/usr/bin/check  --port 80"], p.Nodes[0].Block![0].Args);
    }

    [Fact]
    public void BracesOnOneLineAgainstWordsAndOnTheNextLineAllNest()
    {
        var p = Parse("""
            vrrp_instance VI_1{
              virtual_ipaddress { 10.0.0.1/24 dev eth0 }
              authentication
              {
                auth_type PASS
              }
            }
            """);
        Assert.Empty(p.SyntaxErrors);
        var vi = Assert.Single(p.Nodes);
        Assert.Equal(("vrrp_instance", "VI_1"), (vi.Keyword, vi.Arg(0)));
        var vips = vi.Child("virtual_ipaddress")!;
        Assert.Equal("10.0.0.1/24", vips.Block![0].Keyword);
        Assert.Equal(["dev", "eth0"], vips.Block[0].Args);
        Assert.Equal("PASS", vi.Child("authentication")!.Child("auth_type")!.Arg(0));
        Assert.Equal(2, vi.Block!.Count);
    }

    [Fact]
    public void UnbalancedBracesAreSyntaxErrorsAtTheirLine()
    {
        var extra = Parse("global_defs {\n  router_id a\n}\n}\n");
        Assert.Equal("/etc/keepalived/keepalived.conf:4: '}' closes nothing (unbalanced braces)", Assert.Single(extra.SyntaxErrors).ToString());
        var open = Parse("global_defs {\n  router_id a\nvrrp_instance X {\n}\n");
        Assert.Equal("/etc/keepalived/keepalived.conf:1: the '{' of 'global_defs' is never closed (unbalanced braces)", Assert.Single(open.SyntaxErrors).ToString());
    }

    [Fact]
    public void IncludeGlobIsRelativeToTheIncludingFileAndSplicedInOrder()
    {
        var p = Parse("global_defs {\n}\ninclude conf.d/*.conf\nvrrp_script last {\n}\n",
            ("/etc/keepalived/conf.d/b.conf", "vrrp_instance B {\n include ../more/c.inc\n}\n"),
            ("/etc/keepalived/conf.d/a.conf", "vrrp_instance A {\n}\n"),
            ("/etc/keepalived/conf.d/.hidden.conf", "vrrp_instance H {\n}\n"),
            ("/etc/keepalived/more/c.inc", "priority 90\n"));
        Assert.Empty(p.SyntaxErrors);
        Assert.Equal(["global_defs", "vrrp_instance A", "vrrp_instance B", "vrrp_script last"], p.Nodes.Select(n => $"{n.Keyword} {n.Arg(0)}".Trim()));
        var priority = p.Nodes[2].Child("priority")!;
        Assert.Equal(("/etc/keepalived/more/c.inc", 1), (priority.File, priority.Line));
    }

    [Fact]
    public void AnIncludeLoopIsReportedAtTheIncludeAndReadOnce()
    {
        var p = Parse("include a.conf\n",
            ("/etc/keepalived/a.conf", "vrrp_instance A {\n}\ninclude keepalived.conf\n"));
        Assert.Equal(["vrrp_instance"], p.Nodes.Select(n => n.Keyword));
        var loop = Assert.Single(p.Notes);
        Assert.True(loop.Important);
        Assert.StartsWith("/etc/keepalived/a.conf:3: include loop: /etc/keepalived/keepalived.conf is already being read", loop.ToString());
    }

    [Fact]
    public void AMissingIncludeFileIsImportantAnEmptyGlobIsNot()
    {
        var p = Parse("include /etc/keepalived/missing.conf\ninclude /etc/keepalived/none/*.conf\n");
        Assert.Collection(p.Notes,
            n => Assert.Equal((1, true), (n.Line, n.Important)),
            n => Assert.Equal((2, false), (n.Line, n.Important)));
        Assert.Contains("cannot read the file", p.Notes[0].Message);
    }

    [Theory]
    [InlineData("*.conf", "a.conf", true)]
    [InlineData("*.conf", ".a.conf", false)]
    [InlineData("vrrp_[0-9]?.conf", "vrrp_1b.conf", true)]
    [InlineData("vrrp_[!0-9]*", "vrrp_1", false)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "aXbY", false)]
    public void GlobMatchesLikeGlob3(string pattern, string name, bool match) => Assert.Equal(match, GlobPattern.IsMatch(pattern, name));
}
