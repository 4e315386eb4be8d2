using Router.LabKit;

namespace Router.Package.Tests;

/// <summary>luci-app/po/templates/routerha.pot is what scripts/luci-pot.py extracts from the views, so translators
/// always see every string the pages show.</summary>
public sealed class LuciPotTests : IDisposable
{
    private static string Script => Path.Combine(RouterHaBinary.RepoRoot, "scripts", "luci-pot.py");
    private readonly string _dir = Directory.CreateTempSubdirectory("routerha-pot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CommittedTemplateIsUpToDateWithTheViews()
    {
        var r = Shell.Run("python3", Script, "--check");
        Assert.True(r.Ok, r.StdErr + r.StdOut);
    }

    [Fact]
    public void EveryTranslatableLiteralIsExtractedOnceAndNothingElse()
    {
        var view = Path.Combine(_dir, "htdocs", "luci-static", "resources", "view", "x");
        Directory.CreateDirectory(view);
        File.WriteAllText(Path.Combine(view, "a.js"), """
            'use strict';
            // _('in a line comment')
            /* _('in a block comment') */
            var s = "_('in a string')", re = /['"]_\(/g, t = `_('in a template')`;
            var a = _('Plain'), b = _("Double \"quoted\" it's");
            var c = _('Joined ' +
                'over lines');
            var d = _('Plain'), e = _('Plain', 'state of a VIP');
            var f = N_(n, '%d lease', '%d leases');
            var g = _(computed), h = obj._('method of something else');
            var i = _('Line one\nline two');
            """);
        var run = Shell.Run("python3", Script, "--app", _dir);
        Assert.True(run.Ok, run.StdErr);
        var pot = File.ReadAllText(Path.Combine(_dir, "po", "templates", "routerha.pot"));
        Assert.StartsWith("msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\"\n", pot);
        Assert.Contains("#: htdocs/luci-static/resources/view/x/a.js:5\n#: htdocs/luci-static/resources/view/x/a.js:8\nmsgid \"Plain\"\nmsgstr \"\"\n", pot);
        Assert.Contains("msgctxt \"state of a VIP\"\nmsgid \"Plain\"\n", pot);
        Assert.Contains("msgid \"Double \\\"quoted\\\" it's\"\n", pot);
        Assert.Contains("msgid \"Joined over lines\"\n", pot);
        Assert.Contains("msgid \"%d lease\"\nmsgid_plural \"%d leases\"\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n", pot);
        Assert.Contains("msgid \"\"\n\"Line one\\n\"\n\"line two\"\n", pot);
        Assert.DoesNotContain("in a", pot);
        Assert.DoesNotContain("method of something else", pot);
        Assert.Equal(6, pot.Split('\n').Count(l => l.StartsWith("msgid \"", StringComparison.Ordinal) && l != "msgid \"\"") + 1);
        var check = Shell.Run("python3", Script, "--app", _dir, "--check");
        Assert.True(check.Ok, check.StdErr);

        File.AppendAllText(Path.Combine(view, "a.js"), "var z = _('New string');\n");
        var stale = Shell.Run("python3", Script, "--app", _dir, "--check");
        Assert.False(stale.Ok);
        Assert.Contains("missing: msgid \"New string\"", stale.StdErr);
    }
}
