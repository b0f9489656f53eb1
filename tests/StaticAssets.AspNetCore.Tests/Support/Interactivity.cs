using PuppeteerSharp;

namespace StaticAssets.AspNetCore.Tests.Support;

internal static class Interactivity
{
    /// <summary>
    /// Proves a Blazor counter is interactive: clicks until the count moves (a click before the circuit is connected
    /// does nothing, and nothing on the page says when it connects), then one more click adds exactly one.
    /// </summary>
    /// <remarks>
    /// Clicks are dispatched inside the page, on whatever button is there at that moment: when the circuit's first
    /// render arrives, Blazor replaces the prerendered elements, and a click through an element handle taken just before
    /// fails with "Node is detached from document".
    /// </remarks>
    public static async Task AssertCounterCountsAsync(PageVisit visit, string button, string status)
    {
        var count = $"Number(document.querySelector('{status}').textContent.replace(/\\D+/g, ''))";
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (await visit.EvaluateAsync<int>(count) == 0)
        {
            Assert.IsLessThan(deadline, DateTime.UtcNow, $"clicking {button} never changed the count:{Environment.NewLine}{visit.Report()}");
            await Click(visit, button);
            await Task.Delay(300);
        }
        await Task.Delay(500); // let any click still in flight land
        var before = await visit.EvaluateAsync<int>(count);
        await Click(visit, button);
        await visit.Page.WaitForFunctionAsync($"() => {count} === {before + 1}", new WaitForFunctionOptions { Timeout = 15_000 });
    }

    private static Task Click(PageVisit visit, string selector) =>
        visit.Page.EvaluateExpressionAsync($"document.querySelector('{selector}').click()");
}
