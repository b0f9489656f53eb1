using Azure;
using StaticAssets.Engine.Storage.AzureBlob;

namespace StaticAssets.Engine.Tests.Storage;

/// <summary>Reading a Blob Batch's multipart answer (the requests themselves are tested against Azurite).</summary>
[TestClass]
public sealed class AzureBlobBatchAnswerTests
{
    private const string ContentType = "multipart/mixed; boundary=batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed";

    [TestMethod]
    public void EachPartGivesItsContentIdStatusAndErrorCode_InTheOrderTheyCame()
    {
        // The shape of the service's documented answer, the second sub-request first.
        var body = string.Join("\r\n",
            "--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed",
            "Content-Type: application/http",
            "Content-ID: 1",
            "",
            "HTTP/1.1 404 The specified blob does not exist.",
            "x-ms-error-code: BlobNotFound",
            "x-ms-request-id: 778fdc83-801e-0000-62ff-0334671e2852",
            "Content-Length: 216",
            "Content-Type: application/xml",
            "",
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
            "<Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>",
            "--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed",
            "Content-Type: application/http",
            "Content-ID: 0",
            "",
            "HTTP/1.1 202 Accepted",
            "x-ms-delete-type-permanent: true",
            "x-ms-request-id: 778fdc83-801e-0000-62ff-033467000000",
            "x-ms-version: 2018-11-09",
            "",
            "--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed--",
            "");

        var answers = AzureBlobBatch.BatchAnswer.Parse(ContentType, body);

        CollectionAssert.AreEqual(new[]
        {
            new AzureBlobBatch.BatchAnswer(1, 404, "The specified blob does not exist.", "BlobNotFound"),
            new AzureBlobBatch.BatchAnswer(0, 202, "Accepted", null),
        }, answers);
    }

    [TestMethod]
    public void BareLineFeedsAndAQuotedBoundaryAreRead()
    {
        var body = "--b1\nContent-Type: application/http\nContent-ID: 0\n\nHTTP/1.1 403 This request is not authorized.\nx-ms-error-code: AuthorizationPermissionMismatch\n\n--b1--\n";

        var answers = AzureBlobBatch.BatchAnswer.Parse("multipart/mixed; boundary=\"b1\"", body);

        CollectionAssert.AreEqual(new[] { new AzureBlobBatch.BatchAnswer(0, 403, "This request is not authorized.", "AuthorizationPermissionMismatch") }, answers);
    }

    [TestMethod]
    public void ABatchRefusedAsAWholeIsOnePartWithoutAContentId()
    {
        var body = "--b2\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 400 One of the request inputs is not valid.\r\nx-ms-error-code: InvalidInput\r\n\r\n--b2--\r\n";

        var answers = AzureBlobBatch.BatchAnswer.Parse("multipart/mixed; boundary=b2", body);

        CollectionAssert.AreEqual(new[] { new AzureBlobBatch.BatchAnswer(null, 400, "One of the request inputs is not valid.", "InvalidInput") }, answers);
    }

    [TestMethod]
    [DataRow("application/xml", "--b3\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\n--b3--", DisplayName = "An answer that is not multipart")]
    [DataRow("multipart/mixed; boundary=b3", "--b3\r\nContent-ID: 0\r\n\r\nnot a status line\r\n\r\n--b3--", DisplayName = "A part without a status line")]
    [DataRow("multipart/mixed; boundary=b3", "--b3\r\nContent-ID: 0", DisplayName = "A part cut short")]
    public void AnAnswerThatCannotBeReadIsAnInvalidBatchResponse(string contentType, string body)
    {
        var error = Assert.ThrowsExactly<RequestFailedException>(() => AzureBlobBatch.BatchAnswer.Parse(contentType, body));

        Assert.AreEqual("InvalidBatchResponse", error.ErrorCode);
    }
}
