using Microsoft.Playwright;

namespace Router.Luci.Tests;

/// <summary>
/// Debian's chromium, headless, driven by Playwright's bundled node driver (no browser download: the executable
/// is /usr/bin/chromium, which `make deps-lab` installs). One browser for the collection; a context per page.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: install Debian's chromium (make deps-lab)");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // Root has no user namespace sandbox for chromium; the pages are our own, on loopback.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            Timeout = 30_000,
        });
    }

    /// <summary>A page of the harness, waited for until the view has rendered (or failed to).</summary>
    public async Task<IPage> OpenAsync(string url, int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = width, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(url);
        await page.WaitForSelectorAsync("#view[data-ready]", new() { Timeout = 15_000 });
        var ready = await page.GetAttributeAsync("#view", "data-ready");
        Assert.True(ready == "1", $"the view failed to render: {await page.InnerTextAsync("#view")}\n{string.Join('\n', errors)}");
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LuciCollection : ICollectionFixture<Chromium>
{
    public const string Name = "luci";
}
