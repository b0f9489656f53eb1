namespace StaticAssets.Engine.Tests.Core;

[TestClass]
public sealed class Sha256DigestTests
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("hello static assets");

    [TestMethod]
    public void TryParseBase64_ReadsTheSdkIntegrityWithoutPrefix()
    {
        Assert.IsTrue(Sha256Digest.TryParseBase64(TestData.Base64Sha256(Content), out var digest));
        Assert.AreEqual(TestData.HexSha256(Content), digest.Hex);
    }

    [TestMethod]
    public void TryParseBase64_ReadsTheSriFormWithSha256Prefix()
    {
        Assert.IsTrue(Sha256Digest.TryParseBase64("sha256-" + TestData.Base64Sha256(Content), out var digest));
        Assert.AreEqual(TestData.HexSha256(Content), digest.Hex);
    }

    [TestMethod]
    [DataRow(null, DisplayName = "null")]
    [DataRow("", DisplayName = "empty")]
    [DataRow("   ", DisplayName = "blank")]
    [DataRow("not base64 at all!", DisplayName = "garbage")]
    [DataRow("sha256-", DisplayName = "prefix only")]
    [DataRow("sha256-***", DisplayName = "prefix and garbage")]
    public void TryParseBase64_RejectsGarbage(string? value)
    {
        Assert.IsFalse(Sha256Digest.TryParseBase64(value, out var digest));
        Assert.AreEqual(default, digest);
    }

    [TestMethod]
    [DataRow(31)]
    [DataRow(33)]
    [DataRow(35)]
    [DataRow(36)]
    [DataRow(48)]
    [DataRow(64)]
    public void TryParseBase64_RejectsDigestsOfTheWrongLength(int length)
    {
        var base64 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(length));

        Assert.IsFalse(Sha256Digest.TryParseBase64(base64, out _));
        Assert.IsFalse(Sha256Digest.TryParseBase64("sha256-" + base64, out _));
    }

    [TestMethod]
    public void TryParseBase64_RejectsASha384IntegrityValue()
    {
        Assert.IsFalse(Sha256Digest.TryParseBase64("sha384-" + Convert.ToBase64String(SHA384.HashData(Content)), out _));
    }

    [TestMethod]
    public void Integrity_IsSriFormAndRoundTrips()
    {
        var digest = Sha256Digest.Compute(Content);

        Assert.AreEqual("sha256-" + TestData.Base64Sha256(Content), digest.Integrity);
        Assert.IsTrue(Sha256Digest.TryParseBase64(digest.Integrity, out var parsed));
        Assert.AreEqual(digest, parsed);
    }

    [TestMethod]
    public void TryParseHex_AcceptsLowerAndUpperCaseAndNormalizesToLower()
    {
        var hex = TestData.HexSha256(Content);

        Assert.IsTrue(Sha256Digest.TryParseHex(hex, out var lower));
        Assert.IsTrue(Sha256Digest.TryParseHex(hex.ToUpperInvariant(), out var upper));
        Assert.AreEqual(hex, lower.Hex);
        Assert.AreEqual(lower, upper);
        Assert.AreEqual(Sha256Digest.Compute(Content), lower);
        var mixed = string.Concat(hex.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c));
        Assert.IsTrue(Sha256Digest.TryParseHex(mixed, out var fromMixed));
        Assert.AreEqual(hex, fromMixed.Hex);
    }

    [TestMethod]
    public void TryParseHex_RejectsWrongLengthAndNonHex()
    {
        var hex = TestData.HexSha256(Content);

        Assert.IsFalse(Sha256Digest.TryParseHex(null, out _));
        Assert.IsFalse(Sha256Digest.TryParseHex("", out _));
        Assert.IsFalse(Sha256Digest.TryParseHex(hex[..63], out _));
        Assert.IsFalse(Sha256Digest.TryParseHex(hex + "0", out _));
        Assert.IsFalse(Sha256Digest.TryParseHex("g" + hex[1..], out _));
        Assert.IsFalse(Sha256Digest.TryParseHex(" " + hex[1..], out _));
    }

    [TestMethod]
    public async Task ComputeAsync_OfAFileEqualsTheSha256OfItsBytes()
    {
        using var temp = new TempDirectory();
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        var path = temp.Write("big.bin", bytes);

        var digest = await Sha256Digest.ComputeAsync(path, CancellationToken.None);

        Assert.AreEqual(TestData.HexSha256(bytes), digest.Hex);
    }

    [TestMethod]
    public void FromBytes_RejectsAnythingButThirtyTwoBytes()
    {
        Assert.ThrowsExactly<ArgumentException>(() => Sha256Digest.FromBytes(new byte[31]));
        Assert.ThrowsExactly<ArgumentException>(() => Sha256Digest.FromBytes(new byte[33]));
    }
}
