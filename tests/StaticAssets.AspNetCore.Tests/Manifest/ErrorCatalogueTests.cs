using System.Reflection;
using Messages = StaticAssets.AspNetCore.Diagnostics.Messages;

namespace StaticAssets.AspNetCore.Tests.Manifest;

/// <summary>
/// The runtime package's catalogue (<see cref="Messages"/>) covers its codes (<see cref="StaticAssetsErrorCodes"/>):
/// every code has a message, and every message carries a code of the catalogue. (docs/errors.md against both packages'
/// codes: StaticAssets.Engine.Tests' DiagnosticCatalogueTests.)
/// </summary>
[TestClass]
public sealed class ErrorCatalogueTests
{
    [TestMethod]
    public void EveryCodeHasItsMessagesInTheCatalogue()
    {
        var codes = typeof(StaticAssetsErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetRawConstantValue()!).ToArray();
        var produced = new HashSet<string>();
        foreach (var method in typeof(Messages).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            var arguments = method.GetParameters().Select(p => p.ParameterType switch
            {
                var t when t == typeof(string) => "x",
                var t when t == typeof(long) => (object)2L,
                var t when t == typeof(Exception) => new IOException("x"),
                var t => throw new AssertFailedException($"no test value for {t} {p.Name} of {method.Name}"),
            }).ToArray();
            var error = (StaticAssetsException)method.Invoke(null, arguments)!;
            Assert.StartsWith($"{error.Code}: ", error.Message, method.Name);
            produced.Add(error.Code);
        }

        CollectionAssert.AreEquivalent(codes, produced.ToArray(), "codes without a message, or messages with an unknown code");
    }
}
