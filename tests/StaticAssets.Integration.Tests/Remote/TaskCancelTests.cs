namespace StaticAssets.Integration.Tests.Remote;

/// <summary>
/// MSBuild's Cancel (Ctrl+C in a build, a canceled build in Visual Studio) while the task's Execute is waiting on the
/// store: Execute returns promptly with SA4001, and the destination keeps its previous state (no manifest).
/// </summary>
[TestClass]
public sealed class TaskCancelTests
{
    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task CancelDuringExecuteWhileAPutHangsReturnsPromptlyWithSA4001AndWritesNoManifest()
    {
        var target = await StoreTarget.CreateAsync(StoreTarget.S3, "taskcancel");
        await using var proxy = new CountingProxy(target.Endpoint!);
        // The first PUT reaches the server but its answer never comes: the publish is stuck inside Execute.
        var held = proxy.HoldNext((method, _) => method == "PUT");
        using var project = new TaskProject();
        var css = project.Write("wwwroot/css/site.css", "body { color: red; }\n");
        var (task, log) = project.Task(TaskProject.Item(css, ("LogicalPath", "css/site.css")));
        task.Destination = $"s3://{target.Name}/site/";
        task.S3ServiceUrl = proxy.Url.ToString();
        task.S3ForcePathStyle = "true";
        task.S3ChecksumMode = "WhenRequired";

        var execute = Task.Run(task.Execute);
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(60));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        task.Cancel();
        var result = await execute.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Stop();
        held.Release();

        Assert.IsFalse(result, log.Describe());
        Assert.AreEqual(DiagnosticCodes.Canceled, log.Errors.Single().Code, log.Describe());
        Assert.IsLessThan(TimeSpan.FromSeconds(5), clock.Elapsed, "Execute did not return promptly after Cancel");
        Assert.IsNull(await target.GetAsync("site/" + AssetManifest.DefaultName), "a canceled publish wrote the manifest");
        Assert.IsFalse(File.Exists(project.LocalManifest), "a canceled publish wrote the manifest into the publish output");
    }
}
