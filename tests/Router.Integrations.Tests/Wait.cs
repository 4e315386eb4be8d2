namespace Router.Integrations.Tests;

internal static class Wait
{
    /// <summary>Polls an observable condition until it holds, failing after a bounded time.</summary>
    public static async Task Until(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }
}
