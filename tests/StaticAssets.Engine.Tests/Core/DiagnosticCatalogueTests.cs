using System.Reflection;
using StaticAssets.AspNetCore;

namespace StaticAssets.Engine.Tests.Core;

/// <summary>
/// The codes, their messages and their documentation stay one set: every code has messages in the catalogue
/// (<see cref="Messages"/>) and a row in docs/errors.md, every documented code exists, and nothing outside the
/// catalogue writes a coded message. docs/errors.md also lists the runtime package's codes (SA5xxx,
/// <see cref="StaticAssetsErrorCodes"/>), which keeps a catalogue of its own (it does not depend on the engine;
/// StaticAssets.AspNetCore.Tests' ErrorCatalogueTests checks its messages): the table lists exactly the union.
/// </summary>
[TestClass]
public sealed class DiagnosticCatalogueTests
{
    private static readonly string Repository = Dotnet.RepositoryRoot;

    private static IReadOnlyDictionary<string, string> Codes { get; } = CodesOf(typeof(DiagnosticCodes));

    private static IReadOnlyDictionary<string, string> RuntimeCodes { get; } = CodesOf(typeof(StaticAssetsErrorCodes));

    private static Dictionary<string, string> CodesOf(Type catalogue) => catalogue
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .ToDictionary(f => (string)f.GetRawConstantValue()!, f => f.Name);

    [TestMethod]
    [DataRow(typeof(DiagnosticCodes), "^SA[1-4][0-9]{3}$")]
    [DataRow(typeof(StaticAssetsErrorCodes), "^SA5[0-9]{3}$")]
    public void CodesAreDistinctAndInTheirCataloguesRange(Type catalogue, string pattern)
    {
        var fields = catalogue.GetFields(BindingFlags.Public | BindingFlags.Static);
        var codes = CodesOf(catalogue);
        Assert.HasCount(fields.Length, codes, "two names share a code");
        foreach (var code in codes.Keys)
        {
            Assert.IsTrue(Regex.IsMatch(code, pattern), code);
        }
    }

    [TestMethod]
    public void EveryCodeIsDocumentedInErrorsMdAndEveryDocumentedCodeExists()
    {
        var rows = File.ReadAllLines(Path.Combine(Repository, "docs", "errors.md"))
            .Select(line => Regex.Match(line, @"^\| (SA\d{4}) \| (error|warning) \|"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

        // Each range in its own catalogue: SA1xxx-SA4xxx the engine's, SA5xxx the runtime package's.
        CollectionAssert.AreEquivalent(Codes.Keys.ToArray(), rows.Keys.Where(c => !c.StartsWith("SA5", StringComparison.Ordinal)).ToArray(),
            "docs/errors.md and DiagnosticCodes list different SA1xxx-SA4xxx codes");
        CollectionAssert.AreEquivalent(RuntimeCodes.Keys.ToArray(), rows.Keys.Where(c => c.StartsWith("SA5", StringComparison.Ordinal)).ToArray(),
            "docs/errors.md and StaticAssetsErrorCodes list different SA5xxx codes");
        foreach (var (code, severity) in rows)
        {
            // SA2xxx are the warnings; SA2005 has an error twin (SA1013) under strict mode.
            Assert.AreEqual(code.StartsWith("SA2", StringComparison.Ordinal) ? "warning" : "error", severity, code);
        }
    }

    [TestMethod]
    public void EveryCodeHasItsMessagesInTheCatalogue_WithTheSeverityOfItsRange()
    {
        var produced = new Dictionary<string, HashSet<DiagnosticSeverity>>();
        foreach (var method in typeof(Messages).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(Diagnostic)))
        {
            foreach (var arguments in ArgumentsFor(method))
            {
                var diagnostic = (Diagnostic)method.Invoke(null, arguments)!;
                Assert.IsFalse(string.IsNullOrWhiteSpace(diagnostic.Message), method.Name);
                produced.TryAdd(diagnostic.Code, []);
                produced[diagnostic.Code].Add(diagnostic.Severity);
            }
        }

        CollectionAssert.AreEquivalent(Codes.Keys.ToArray(), produced.Keys.ToArray(), "codes without a message, or messages with an unknown code");
        foreach (var (code, severities) in produced)
        {
            var expected = code.StartsWith("SA2", StringComparison.Ordinal) ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;
            CollectionAssert.AreEqual(new[] { expected }, severities.ToArray(), code);
        }
    }

    [TestMethod]
    public void NothingOutsideTheCatalogueWritesACodedMessage()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(Repository, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => Path.GetFileName(f) is not ("Messages.cs" or "Diagnostic.cs"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => Regex.IsMatch(l.Text,
                @"Diagnostic\.(Error|Warning)\(|new Diagnostic\(|DiagnosticCodes\.\w+\s*,\s*\$?""|new StaticAssetsException\(|StaticAssetsErrorCodes\.\w+"))
            .Select(l => $"{Path.GetRelativePath(Repository, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToArray();

        Assert.IsEmpty(offenders, "coded messages written outside the catalogues (Messages.cs):\n" + string.Join("\n", offenders));
    }

    /// <summary>Calls of a catalogue method covering its branches: each bool both ways, the code-taking ones with every code.</summary>
    private static IEnumerable<object?[]> ArgumentsFor(MethodInfo method)
    {
        IEnumerable<object?[]> calls = [[]];
        foreach (var parameter in method.GetParameters())
        {
            object?[] values = parameter.ParameterType switch
            {
                var t when t == typeof(bool) => [true, false],
                var t when t == typeof(string) && parameter.Name == "code" => Codes.Keys.Where(c => c is DiagnosticCodes.InvalidLogicalPath
                    or DiagnosticCodes.AbsoluteLogicalPath or DiagnosticCodes.BackslashInLogicalPath).ToArray<object?>(),
                var t when t == typeof(string) => ["x"],
                var t when t == typeof(OptionSpelling) => [OptionSpelling.Plain],
                var t when t == typeof(Option) => [Option.Destination],
                var t when t == typeof(int) => [2],
                var t when t == typeof(long) => [2L],
                var t when t == typeof(TimeSpan) => [TimeSpan.FromSeconds(1)],
                var t when t == typeof(Diagnostic) => [Messages.StoreRefused("x"), Messages.NotWritable("x"), Messages.FileChanged("p", "x")],
                var t when t == typeof(IEnumerable<string>) || t == typeof(IReadOnlyList<string>) => [new[] { "a", "b" }],
                var t when Nullable.GetUnderlyingType(t) is not null || !t.IsValueType => [null],
                _ => throw new AssertFailedException($"no test value for {parameter.ParameterType} {parameter.Name} of {method.Name}"),
            };
            calls = calls.SelectMany(call => values.Select(value => call.Append(value).ToArray())).ToArray();
        }
        return calls;
    }
}
