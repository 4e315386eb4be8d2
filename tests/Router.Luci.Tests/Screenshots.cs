using Microsoft.Playwright;
using Router.LabKit;

namespace Router.Luci.Tests;

/// <summary>The pictures in docs/luci/, taken by the tests from what they just checked.</summary>
public static class Screenshots
{
    public static string Dir => Path.Combine(RouterHaBinary.RepoRoot, "docs", "luci");

    public static async Task TakeAsync(IPage page, string name, string? selector = null)
    {
        Directory.CreateDirectory(Dir);
        var file = Path.Combine(Dir, name);
        if (selector is null) await page.ScreenshotAsync(new() { Path = file, FullPage = true });
        else await page.Locator(selector).First.ScreenshotAsync(new() { Path = file });
    }
}
