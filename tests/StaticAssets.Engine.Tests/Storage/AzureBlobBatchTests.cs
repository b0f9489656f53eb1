using System.Text;
using System.Text.RegularExpressions;
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

/// <summary>The batch's requests and its retries of transient sub-request failures, against a scripted service.</summary>
[TestClass]
public sealed class AzureBlobBatchRetryTests
{
    /// <summary>Answers each batch POST from a script: the status of each sub-request by blob name (202 if not named).</summary>
    private sealed class ScriptedService(params Dictionary<string, (int Status, string Code)>[] script) : HttpMessageHandler
    {
        public List<string[]> Batches { get; } = [];

        public List<string> SubRequests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.AreEqual(HttpMethod.Post, request.Method);
            StringAssert.Contains(request.RequestUri!.Query, "comp=batch");
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var parts = body.Split("\r\n\r\n").Where(p => p.StartsWith("DELETE ", StringComparison.Ordinal)).ToArray();
            SubRequests.AddRange(parts);
            var names = parts.Select(p => Uri.UnescapeDataString(p.Split(' ')[1].Split('?')[0]["/site/".Length..])).ToArray();
            var answers = Batches.Count < script.Length ? script[Batches.Count] : [];
            Batches.Add(names);
            var answer = new StringBuilder();
            for (var i = 0; i < names.Length; i++)
            {
                var (status, code) = answers.TryGetValue(names[i], out var scripted) ? scripted : (202, "");
                answer.Append("--answer\r\nContent-Type: application/http\r\nContent-ID: ").Append(i).Append("\r\n\r\n")
                    .Append($"HTTP/1.1 {status} {(status == 202 ? "Accepted" : "Failed")}\r\n")
                    .Append(code.Length > 0 ? $"x-ms-error-code: {code}\r\n" : "").Append("\r\n");
            }
            answer.Append("--answer--\r\n");
            var response = new HttpResponseMessage(System.Net.HttpStatusCode.Accepted) { Content = new StringContent(answer.ToString()) };
            response.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/mixed; boundary=answer");
            return response;
        }
    }

    private static AzureBlobBatch Batch(ScriptedService service, List<string> retries, int maxAttempts = 3)
    {
        var options = new Azure.Storage.Blobs.BlobClientOptions { Transport = new Azure.Core.Pipeline.HttpClientTransport(new HttpClient(service)) };
        options.Retry.MaxRetries = 0;
        var container = new Azure.Storage.Blobs.BlobContainerClient(new Uri("https://acct.blob.core.windows.net/site"),
            new Azure.Storage.StorageSharedKeyCredential("acct", Convert.ToBase64String(new byte[64])), options);
        return new AzureBlobBatch(container, maxAttempts, Azure.Core.DelayStrategy.CreateFixedDelayStrategy(TimeSpan.FromMilliseconds(1)), retries.Add);
    }

    [TestMethod]
    public async Task EachSubRequestIsADeleteAuthorizedOnItsOwn_WithoutAVersion()
    {
        var service = new ScriptedService();
        await Batch(service, []).DeleteAsync(["css/a b.css", "js/ü.js"], CancellationToken.None);

        CollectionAssert.AreEqual(new[] { "css/a b.css", "js/ü.js" }, service.Batches.Single());
        foreach (var subRequest in service.SubRequests)
        {
            StringAssert.Matches(subRequest, new Regex(@"(?m)^Authorization: SharedKey acct:\S+\r?$"));
            StringAssert.Matches(subRequest, new Regex(@"(?m)^x-ms-date: "));
            Assert.DoesNotContain("x-ms-version", subRequest, "a sub-request takes the batch's version");
        }
    }

    [TestMethod]
    public async Task TransientFailuresOfSomeDeletesAreSentAgainAlone()
    {
        var service = new ScriptedService(new Dictionary<string, (int Status, string Code)> { ["b"] = (503, "ServerBusy"), ["c"] = (500, "InternalError") });
        var retries = new List<string>();

        await Batch(service, retries).DeleteAsync(["a", "b", "c", "d"], CancellationToken.None);

        Assert.HasCount(2, service.Batches);
        CollectionAssert.AreEqual(new[] { "b", "c" }, service.Batches[1]);
        Assert.AreEqual("Retrying the delete of 2 of 4 blobs in a batch (attempt 2 of 3) after: 503 ServerBusy", retries.Single());
    }

    [TestMethod]
    public async Task ADeleteThatKeepsFailingIsReportedAfterTheLastAttempt()
    {
        var busy = new Dictionary<string, (int, string)> { ["b"] = (503, "ServerBusy") };
        var service = new ScriptedService(busy, busy, busy, busy);

        var error = await Assert.ThrowsExactlyAsync<Azure.RequestFailedException>(() => Batch(service, []).DeleteAsync(["a", "b"], CancellationToken.None));

        Assert.HasCount(3, service.Batches);
        Assert.AreEqual(503, error.Status);
        Assert.AreEqual("ServerBusy", error.ErrorCode);
        StringAssert.Contains(error.Message, "1 of 2 blobs were not deleted, 'b' among them");
    }

    [TestMethod]
    public async Task AFailureThatIsNotTransientIsNotRetried()
    {
        var service = new ScriptedService(new Dictionary<string, (int Status, string Code)> { ["a"] = (503, "ServerBusy"), ["b"] = (403, "AuthorizationPermissionMismatch") });
        var retries = new List<string>();

        var error = await Assert.ThrowsExactlyAsync<Azure.RequestFailedException>(() => Batch(service, retries).DeleteAsync(["a", "b"], CancellationToken.None));

        Assert.HasCount(1, service.Batches);
        Assert.IsEmpty(retries);
        Assert.AreEqual(403, error.Status, "the failure that says what to fix is the one reported");
        StringAssert.Contains(error.Message, "2 of 2 blobs were not deleted, 'b' among them");
    }
}
