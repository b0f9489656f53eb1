using System.Text;
using System.Xml;
using StaticAssets.Engine.Storage.S3;

namespace StaticAssets.Engine.Tests.Storage;

/// <summary>
/// How the S3 store reads a ListObjectsV2 answer (<see cref="ListingPage"/>), on answers as servers send them. The
/// store's listing against Ceph RGW (many pages, keys with spaces, punctuation and Unicode, times) is in the
/// integration tests (StoreContractTests, S3StoreTests).
/// </summary>
[TestClass]
public sealed class ListingPageTests
{
    [TestMethod]
    public void ReadsEachObjectsKeySizeAndTime_InOrder_AndWhereTheNextPageStarts()
    {
        // Ceph RGW's answer, one line, as it sends it.
        var page = Read("""
            <?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>site/</Prefix><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated><Contents><Key>site/app.1aa0c719795f.js</Key><LastModified>2026-11-30T11:51:19.422Z</LastModified><ETag>&quot;891062eb2449bb12e0a1a4e6ca8272f6&quot;</ETag><Size>2908</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><Contents><Key>site/app.js</Key><LastModified>2026-11-30T11:51:10.239Z</LastModified><ETag>&quot;77dbe6049d65ef7dfa083af2239e764d&quot;</ETag><Size>93978</Size><StorageClass>STANDARD</StorageClass><Type>Normal</Type></Contents><NextContinuationToken>1ueGcxLPRx1Tr</NextContinuationToken><KeyCount>2</KeyCount></ListBucketResult>
            """);

        CollectionAssert.AreEqual(
            new[]
            {
                new StoredObjectInfo("site/app.1aa0c719795f.js", 2908, new DateTimeOffset(2026, 11, 30, 11, 51, 19, 422, TimeSpan.Zero)),
                new StoredObjectInfo("site/app.js", 93978, new DateTimeOffset(2026, 11, 30, 11, 51, 10, 239, TimeSpan.Zero)),
            },
            page.Objects);
        Assert.IsTrue(page.IsTruncated);
        Assert.AreEqual("1ueGcxLPRx1Tr", page.NextContinuationToken);
    }

    [TestMethod]
    public void KeysAreReadAsThemselves_EntitiesCharacterReferencesSpacesAndUnicode_WhateverTheFormatting()
    {
        // Indented, with elements the store does not need (owner, checksums) nested inside, and keys only a lenient
        // reader takes: a control character (not allowed in XML 1.0, sent as a reference), leading and trailing
        // spaces, a key of one space.
        var page = Read("""
            <ListBucketResult>
              <IsTruncated>false</IsTruncated>
              <Contents>
                <Key>img/a+b%20c#d?e&amp;f&lt;g&gt;.png</Key>
                <Owner><ID>x</ID><DisplayName>y</DisplayName></Owner>
                <Size>1</Size>
              </Contents>
              <Contents><Key>raw/&#x1;bell&#x7;.txt</Key><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>2</Size></Contents>
              <Contents><Key>  spaced  </Key><Size>3</Size></Contents>
              <Contents><Key> </Key><Size>4</Size></Contents>
              <Contents><Key>画像/ümlaut 😀.svg</Key><Size>5</Size><RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress></RestoreStatus></Contents>
              <CommonPrefixes><Prefix>x/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """);

        CollectionAssert.AreEqual(
            new[] { "img/a+b%20c#d?e&f<g>.png", "raw/\u0001bell\u0007.txt", "  spaced  ", " ", "画像/ümlaut 😀.svg" },
            page.Objects.Select(o => o.Key).ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5 }, page.Objects.Select(o => o.Size).ToArray());
        Assert.IsFalse(page.IsTruncated);
        Assert.IsNull(page.NextContinuationToken);
    }

    [TestMethod]
    public void AnEmptyListingHasNoObjects()
    {
        foreach (var answer in new[]
        {
            "<ListBucketResult><Name>b</Name><Prefix>site/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>",
            "<ListBucketResult/>",
        })
        {
            var page = Read(answer);
            Assert.IsEmpty(page.Objects, answer);
            Assert.IsFalse(page.IsTruncated, answer);
        }
    }

    [TestMethod]
    public void KeysEncodedForUrlsAreDecoded()
    {
        var page = Read("<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>" +
                        "<Contents><Key>fonts/Font+Awesome%206.woff2</Key><Size>7</Size></Contents></ListBucketResult>");

        Assert.AreEqual("fonts/Font Awesome 6.woff2", page.Objects.Single().Key);
    }

    /// <summary>A listing cut short without saying where it goes on would be taken for the whole prefix, and a prune or
    /// a rollback decides on it: refused instead.</summary>
    [TestMethod]
    public void ATruncatedAnswerWithoutTheNextPagesTokenIsRefused()
    {
        Assert.ThrowsExactly<XmlException>(() => Read(
            "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>"));
    }

    [TestMethod]
    [DataRow("<Error><Code>AccessDenied</Code></Error>", DisplayName = "Another document")]
    [DataRow("<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>", DisplayName = "An object without a key")]
    [DataRow("<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>", DisplayName = "An object without a size")]
    [DataRow("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>", DisplayName = "A negative size")]
    [DataRow("<ListBucketResult><Contents><Key>a</Key><Size>1</Size>", DisplayName = "A cut-off answer")]
    public void AnAnswerThatIsNotACompleteListingIsRefused(string answer)
    {
        Assert.Throws<Exception>(() => Read(answer));
    }

    private static ListingPage Read(string answer) => ListingPage.Read(new MemoryStream(Encoding.UTF8.GetBytes(answer)));
}
