using PuppeteerSharp;

namespace StaticAssets.AspNetCore.Tests.Support;

internal static class Interactivity
{
    /// <summary>
    /// Proves a Blazor counter is interactive: clicks until the count moves (a click before the circuit is connected
    /// does nothing, and nothing on the page says when it connects), then one more click adds exactly one.
    /// </summary>
    public static async Task AssertCounterCountsAsync(PageVisit visit, string button, string status)
    {
        var count = $"Number(document.querySelector('{status}').textContent.replace(/\\D+/g, ''))";
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (await visit.EvaluateAsync<int>(count) == 0)
        {
            Assert.IsLessThan(deadline, DateTime.UtcNow, $"clicking {button} never changed the count:{Environment.NewLine}{visit.Report()}");
            await visit.Page.ClickAsync(button);
            await Task.Delay(300);
        }
        await Task.Delay(500); // let any click still in flight land
        var before = await visit.EvaluateAsync<int>(count);
        await visit.Page.ClickAsync(button);
        await visit.Page.WaitForFunctionAsync($"() => {count} === {before + 1}", new WaitForFunctionOptions { Timeout = 15_000 });
    }
}
