using static StaticAssets.Testing.TaskProject;

namespace StaticAssets.Tasks.Tests;

/// <summary>The rollback, listing and prune tasks run directly (a fake build engine) on a local destination: thin
/// adapters that read the same properties as the publish, and report with codes.</summary>
[TestClass]
public sealed class GenerationTasksTests
{
    private static T Configure<T>(T task, TaskProject project, FakeBuildEngine engine) where T : StoreTask
    {
        task.BuildEngine = engine;
        task.ProjectDirectory = project.Dir;
        task.ProjectName = "SampleApp";
        task.Destination = "bin/static-assets";
        return task;
    }

    /// <summary>Two generations of good.css published.</summary>
    private static (TaskProject Project, byte[] First, byte[] Second) TwoGenerations()
    {
        var project = new TaskProject();
        var css = project.Write("wwwroot/good.css", "v1");
        project.PublishBaseline(Item(css, ("LogicalPath", "good.css")));
        var first = File.ReadAllBytes(project.DestManifest);
        Thread.Sleep(5);
        File.WriteAllText(css, "v2");
        project.PublishBaseline(Item(css, ("LogicalPath", "good.css")));
        return (project, first, File.ReadAllBytes(project.DestManifest));
    }

    [TestMethod]
    public void RollbackToPreviousThenListMarksItCurrent()
    {
        var (project, first, _) = TwoGenerations();
        using var _ = project;
        var engine = new FakeBuildEngine();

        Assert.IsTrue(Configure(new RollbackStaticAssets { Generation = "previous" }, project, engine).Execute(), engine.Describe());

        CollectionAssert.AreEqual(first, File.ReadAllBytes(project.DestManifest));
        var listing = new FakeBuildEngine();
        Assert.IsTrue(Configure(new ListStaticAssetGenerations(), project, listing).Execute(), listing.Describe());
        var lines = listing.Messages.Select(m => m.Message).ToArray();
        StringAssert.Contains(lines.Single(l => l.EndsWith("<- current", StringComparison.Ordinal)), "rollback");
        Assert.HasCount(3, lines.Where(l => Regex.IsMatch(l, @"^\s+\d{4}-\d\d-\d\d ")).ToArray(), string.Join("\n", lines));
    }

    [TestMethod]
    [DataRow("zzz", DiagnosticCodes.UnknownGeneration)]
    [DataRow("abcd", DiagnosticCodes.UnknownGeneration)]
    public void ABadGenerationIsItsCodeAndChangesNothing(string generation, string code)
    {
        var (project, _, second) = TwoGenerations();
        using var _ = project;
        var engine = new FakeBuildEngine();

        Assert.IsFalse(Configure(new RollbackStaticAssets { Generation = generation }, project, engine).Execute());

        Assert.AreEqual(code, engine.Errors.Single().Code, engine.Describe());
        CollectionAssert.AreEqual(second, File.ReadAllBytes(project.DestManifest));
    }

    [TestMethod]
    public void PruneWithoutKeepGenerationsIsSA1018_ACanceledRollbackIsSA4001()
    {
        var (project, _, second) = TwoGenerations();
        using var _ = project;
        var engine = new FakeBuildEngine();
        Assert.IsFalse(Configure(new PruneStaticAssets(), project, engine).Execute());
        Assert.AreEqual(DiagnosticCodes.InvalidPruneSetting, engine.Errors.Single().Code, engine.Describe());
        StringAssert.Contains(engine.Errors.Single().Message, "StaticAssetsKeepGenerations");

        var canceled = new FakeBuildEngine();
        var rollback = Configure(new RollbackStaticAssets(), project, canceled);
        rollback.Cancel();
        Assert.IsFalse(rollback.Execute());
        Assert.AreEqual(DiagnosticCodes.Canceled, canceled.Errors.Single().Code, canceled.Describe());
        CollectionAssert.AreEqual(second, File.ReadAllBytes(project.DestManifest));
    }

    [TestMethod]
    public void APublishWithKeepGenerationsPrunesAfterItself()
    {
        var (project, first, second) = TwoGenerations();
        using var _ = project;
        var oldKeys = new[] { Stored.ObjectsOf(first).Single().Key, Stored.ObjectsOf(second).Single().Key };
        var css = project.Write("wwwroot/good.css", "v3");
        var (task, engine) = project.Task(Item(css, ("LogicalPath", "good.css")));
        task.KeepGenerations = "1";
        task.PruneMinAge = "0";

        Assert.IsTrue(task.Execute(), engine.Describe());

        // Keeping 1: the newest published generation, which is the new current one.
        foreach (var oldKey in oldKeys)
        {
            Assert.IsFalse(File.Exists(Path.Combine(project.Dest, oldKey)), $"{oldKey} of an earlier generation is still there");
        }
        Assert.IsTrue(engine.Messages.Any(m => m.Message.StartsWith("Pruned 2 objects", StringComparison.Ordinal)), engine.Describe());
        foreach (var obj in Stored.ObjectsOf(File.ReadAllBytes(project.DestManifest)))
        {
            Assert.IsTrue(File.Exists(Path.Combine(project.Dest, obj.Key)), obj.Key);
        }
    }
}
