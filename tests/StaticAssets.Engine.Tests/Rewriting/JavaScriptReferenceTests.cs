namespace StaticAssets.Engine.Tests.Rewriting;

/// <summary>JavaScript: source maps always; module specifiers only when opted in; bare module names never.</summary>
[TestClass]
public sealed class JavaScriptReferenceTests
{
    private const string Map = "{\"version\":3,\"file\":\"app.js\",\"sources\":[\"app.ts\"],\"mappings\":\"AAAA\"}";

    [TestMethod]
    public async Task ASourceMappingUrlIsRewrittenByDefault()
    {
        using var tree = new AssetTree();
        tree.Add("js/app.js.map", Map);
        tree.Add("js/app.js", "console.log('app');\n//# sourceMappingURL=app.js.map\n");
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsEmpty(log.Diagnostics, log.Dump());
        var expected = $"console.log('app');\n//# sourceMappingURL=app.js.{Expected.Hex(Map)}.map\n";
        Assert.AreEqual(expected, plan!.TextOf("js/app.js"));
        Assert.AreEqual(Expected.Key("js/app.js", expected), plan.KeyOf("js/app.js"));
        Assert.AreEqual(Expected.Key("js/app.js.map", Map), plan.KeyOf("js/app.js.map"));
    }

    [TestMethod]
    public async Task RelativeAndRootRelativeSourceMappingUrlsAreRewritten()
    {
        using var tree = new AssetTree();
        tree.Add("maps/app.js.map", Map);
        tree.Add("js/a.js", "a();\n//# sourceMappingURL=../maps/app.js.map\n");
        tree.Add("js/b.js", "b();\n//# sourceMappingURL=/maps/app.js.map\n");
        tree.Add("js/c.mjs", "c();\n//@ sourceMappingURL=./../maps/app.js.map\n");

        var plan = await tree.PlanAsync(tree.Options, new RecordingLog());

        var name = $"app.js.{Expected.Hex(Map)}.map";
        Assert.AreEqual($"a();\n//# sourceMappingURL=../maps/{name}\n", plan!.TextOf("js/a.js"));
        Assert.AreEqual($"b();\n//# sourceMappingURL=../maps/{name}\n", plan.TextOf("js/b.js"));
        Assert.AreEqual($"c();\n//@ sourceMappingURL=./../maps/{name}\n", plan.TextOf("js/c.mjs"));
    }

    private const string Module = """
        import React from "react";
        import { render } from 'react-dom/client';
        import x from "./util.js";
        import * as helpers from './util.js';
        import "./side-effect.js";
        export * from "../lib/y.js";
        export { a, b as c } from "../lib/y.js";
        const lazy = () => import("./lazy.js");
        const external = import("https://esm.sh/lodash-es");
        """;

    private static AssetTree ModuleTree()
    {
        var tree = new AssetTree();
        tree.Add("js/util.js", "export default 1;\n");
        tree.Add("js/side-effect.js", "window.x = 1;\n");
        tree.Add("js/lazy.js", "export const lazy = 1;\n");
        tree.Add("lib/y.js", "export const a = 1, b = 2;\n");
        tree.Add("js/main.js", Module);
        return tree;
    }

    [TestMethod]
    public async Task ModuleSpecifiersAreLeftAloneUnlessOptedIn()
    {
        using var tree = ModuleTree();
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsEmpty(log.Diagnostics, log.Dump());
        Assert.AreEqual(Module, plan!.TextOf("js/main.js"));
        Assert.AreEqual(tree.SourceOf("js/main.js"), plan.Asset("js/main.js").Object.SourcePath);
        Assert.AreEqual(Expected.Key("js/main.js", Module), plan.KeyOf("js/main.js"));
    }

    [TestMethod]
    public async Task WithModulesOnRelativeSpecifiersAreRewrittenAndBareOnesAreNeverTouchedNorWarned()
    {
        using var tree = ModuleTree();
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options with { RewriteJavaScriptModules = true }, log);

        Assert.IsEmpty(log.Diagnostics, "bare module names and absolute URLs are not missing files\n" + log.Dump());
        var util = Expected.Key("util.js", "export default 1;\n");
        var sideEffect = Expected.Key("side-effect.js", "window.x = 1;\n");
        var lazy = Expected.Key("lazy.js", "export const lazy = 1;\n");
        var y = Expected.Key("y.js", "export const a = 1, b = 2;\n");
        var expected = $$"""
            import React from "react";
            import { render } from 'react-dom/client';
            import x from "./{{util}}";
            import * as helpers from './{{util}}';
            import "./{{sideEffect}}";
            export * from "../lib/{{y}}";
            export { a, b as c } from "../lib/{{y}}";
            const lazy = () => import("./{{lazy}}");
            const external = import("https://esm.sh/lodash-es");
            """;
        Assert.AreEqual(expected, plan!.TextOf("js/main.js"));
        Assert.AreEqual(Expected.Key("js/main.js", expected), plan.KeyOf("js/main.js"));
    }

    [TestMethod]
    [DataRow(true, DisplayName = "modules on: fingerprinted, a missing relative one warned")]
    [DataRow(false, DisplayName = "modules off: the un-fingerprinted copy, nothing else changed or warned")]
    public async Task ARootAbsoluteImportOfAnAssetComesOutRelative(bool modules)
    {
        // "/_content/..." resolves to the host's root under a prefix (the sample's widget from a bucket); a relative
        // specifier holds anywhere. Without module rewriting it names the un-fingerprinted copy under the logical path.
        using var tree = new AssetTree();
        const string widget = "export function greet() {}\n";
        tree.Add("_content/SampleRazorLib/widget.js", widget);
        const string site = "import { greet } from \"/_content/SampleRazorLib/widget.js\";\nimport { gone } from \"./gone.js\";\nimport React from 'react';\n";
        tree.Add("js/site.js", site);
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options with { RewriteJavaScriptModules = modules }, log);

        var target = modules ? Expected.Key("widget.js", widget) : "widget.js";
        var expected = site.Replace("\"/_content/SampleRazorLib/widget.js\"", $"\"../_content/SampleRazorLib/{target}\"", StringComparison.Ordinal);
        Assert.AreEqual(expected, plan!.TextOf("js/site.js"));
        Assert.AreEqual(Expected.Key("js/site.js", expected), plan.KeyOf("js/site.js"));
        var warnings = log.WithCode(DiagnosticCodes.MissingReference).ToArray();
        Assert.HasCount(modules ? 1 : 0, warnings, log.Dump());
        Assert.IsTrue(warnings.All(w => w.Message.Contains("./gone.js", StringComparison.Ordinal)), log.Dump());
    }

    [TestMethod]
    public async Task ModulesImportingEachOtherResolveInDependencyOrder()
    {
        using var tree = new AssetTree();
        const string leaf = "export const v = 42;\n";
        const string mid = "import { v } from './leaf.js';\nexport const w = v;\n";
        const string top = "import { w } from './mid.js';\nconsole.log(w);\n";
        tree.Add("js/top.js", top);
        tree.Add("js/mid.js", mid);
        tree.Add("js/leaf.js", leaf);

        var plan = await tree.PlanAsync(tree.Options with { RewriteJavaScriptModules = true }, new RecordingLog());

        var leafKey = Expected.Key("leaf.js", leaf);
        var midText = mid.Replace("./leaf.js", "./" + leafKey, StringComparison.Ordinal);
        var topText = top.Replace("./mid.js", "./" + Expected.Key("mid.js", midText), StringComparison.Ordinal);
        Assert.AreEqual(midText, plan!.TextOf("js/mid.js"));
        Assert.AreEqual(topText, plan.TextOf("js/top.js"));
        Assert.AreEqual(Expected.Key("js/top.js", topText), plan.KeyOf("js/top.js"));
    }
}
