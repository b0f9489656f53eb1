namespace StaticAssets.Testing;

public static class ManifestAssert
{
    /// <summary>The manifest is valid and maps <paramref name="logicalPath"/> to <paramref name="key"/> with the content's size and digest.</summary>
    public static void Maps(byte[] manifest, string logicalPath, string key, byte[] content)
    {
        Assert.IsTrue(AssetManifest.TryReadObjects(manifest, out _, out var problem), problem);
        using var json = JsonDocument.Parse(manifest);
        Assert.AreEqual(key, json.RootElement.GetProperty("paths").GetProperty(logicalPath).GetString());
        var asset = json.RootElement.GetProperty("assets").GetProperty(logicalPath);
        Assert.AreEqual(key, asset.GetProperty("key").GetString());
        Assert.AreEqual(content.LongLength, asset.GetProperty("size").GetInt64());
        Assert.AreEqual(TestData.HexSha256(content), asset.GetProperty("sha256").GetString());
        Assert.AreEqual("sha256-" + TestData.Base64Sha256(content), asset.GetProperty("integrity").GetString());
    }

    /// <summary>Exactly one diagnostic, an error with <paramref name="code"/>, and nothing logged shows a secret; its message.</summary>
    public static string OneError(RecordingLog log, string code, params string?[] secrets)
    {
        var text = Secrets.TextOf(log);
        Assert.HasCount(1, log.Diagnostics, text);
        Assert.AreEqual(code, log.Diagnostics[0].Code, text);
        Assert.AreEqual(DiagnosticSeverity.Error, log.Diagnostics[0].Severity, text);
        Secrets.AssertAbsent(text, secrets);
        return log.Diagnostics[0].Message;
    }

    public static string OneError(FakeBuildEngine log, string code, params string?[] secrets)
    {
        var text = log.Describe();
        Assert.HasCount(1, log.Errors, text);
        Assert.AreEqual(code, log.Errors[0].Code, text);
        Assert.IsEmpty(log.Warnings, text);
        Secrets.AssertAbsent(text, secrets);
        return log.Errors[0].Message;
    }
}
