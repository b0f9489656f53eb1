using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using StaticAssets.Engine.Storage.Http;

namespace StaticAssets.Engine.Storage.AzureBlob;

/// <summary>
/// Blob Batch deletes: up to 256 Delete Blob sub-requests in one multipart/mixed POST to the container
/// (learn.microsoft.com/rest/api/storageservices/blob-batch). Each sub-request is authorized by the client's own
/// authentication policy (shared key, SAS or Entra ID token) in a pipeline that never sends; the POST goes through the
/// client's live pipeline (its retries, timeouts and connection pool). Azure.Storage.Blobs.Batch does the same, but it
/// is not on our package feed; the client's pipeline and policy are protected members of
/// <see cref="BlobServiceClient"/> meant for such companions.
/// </summary>
internal sealed class AzureBlobBatch
{
    /// <summary>The service's limit of sub-requests in one batch.</summary>
    public const int MaxDeletes = 256;

    /// <summary>Container-scoped batches need 2020-04-08 or later; sub-requests carry no version of their own.</summary>
    private const string ServiceVersion = "2020-04-08";

    private readonly BlobContainerClient _container;
    private readonly HttpPipeline _pipeline;
    private readonly HttpPipeline _authorizing;
    private readonly int _maxAttempts;
    private readonly DelayStrategy _delay;
    private readonly Action<string>? _onRetry;

    /// <param name="maxAttempts">Tries of a sub-request the service answered with a transient failure (the POST's own
    /// retries are the pipeline's).</param>
    /// <param name="delay">Between those tries.</param>
    /// <param name="onRetry">Says why a batch is sent again.</param>
    public AzureBlobBatch(BlobContainerClient container, int maxAttempts, DelayStrategy delay, Action<string>? onRetry)
    {
        _maxAttempts = maxAttempts;
        _delay = delay;
        _onRetry = onRetry;
        var service = container.GetParentBlobServiceClient();
        _container = container;
        _pipeline = ClientParts.Pipeline(service);
        var options = new BlobClientOptions { Transport = new NeverSends(_pipeline) };
        options.Diagnostics.IsLoggingEnabled = false;
        options.Diagnostics.IsTelemetryEnabled = false;
        options.Diagnostics.IsDistributedTracingEnabled = false;
        options.Retry.MaxRetries = 0;
        _authorizing = HttpPipelineBuilder.Build(options, [], [ClientParts.Authentication(service)], responseClassifier: null);
    }

    /// <summary>
    /// Deletes <paramref name="names"/> (blob names in the container, at most <see cref="MaxDeletes"/>) in one request;
    /// the deletes the service answers with a transient failure (a busy or throttled partition: 408, 429, 5xx) go
    /// again in a batch of their own, up to the store's attempts. A blob that is not there counts as deleted (a
    /// retried batch finds its first try's work done).
    /// </summary>
    public async Task DeleteAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var pending = names;
        for (var attempt = 1; ; attempt++)
        {
            var failed = await SendAsync(pending, cancellationToken).ConfigureAwait(false);
            if (failed.Count == 0)
            {
                return;
            }
            var first = failed[0];
            // A failure no retry mends (access denied, a lease) is the one reported: it says what to fix.
            var final = failed.FirstOrDefault(f => !PublishHttpHandler.IsTransient(f.Answer.Status));
            if (final.Name is not null || attempt >= _maxAttempts)
            {
                var (name, answer) = final.Name is not null ? final : first;
                throw new RequestFailedException(answer.Status,
                    $"{failed.Count:N0} of {names.Count:N0} blobs were not deleted, '{name}' among them: {answer.Reason}", answer.ErrorCode, null);
            }
            _onRetry?.Invoke($"Retrying the delete of {failed.Count:N0} of {names.Count:N0} blobs in a batch (attempt {attempt + 1} of {_maxAttempts}) " +
                $"after: {first.Answer.Status} {first.Answer.ErrorCode}");
            await Task.Delay(_delay.GetNextDelay(null, attempt), cancellationToken).ConfigureAwait(false);
            pending = failed.Select(f => f.Name).ToArray();
        }
    }

    /// <summary>One batch request; the deletes that failed, in the order of <paramref name="names"/>.</summary>
    private async Task<IReadOnlyList<(string Name, BatchAnswer Answer)>> SendAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var boundary = "batch_" + Guid.NewGuid().ToString("D");
        var body = new StringBuilder();
        for (var i = 0; i < names.Count; i++)
        {
            using var delete = _authorizing.CreateMessage();
            delete.Request.Method = RequestMethod.Delete;
            delete.Request.Uri.Reset(_container.GetBlobClient(names[i]).Uri);
            await _authorizing.SendAsync(delete, cancellationToken).ConfigureAwait(false);
            body.Append("--").Append(boundary).Append("\r\n")
                .Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n")
                .Append("Content-ID: ").Append(i).Append("\r\n\r\n")
                .Append("DELETE ").Append(delete.Request.Uri.PathAndQuery).Append(" HTTP/1.1\r\n");
            foreach (var header in delete.Request.Headers)
            {
                body.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
            }
            body.Append("Content-Length: 0\r\n\r\n");
        }
        body.Append("--").Append(boundary).Append("--\r\n");

        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_container.Uri);
        request.Uri.AppendQuery("restype", "container");
        request.Uri.AppendQuery("comp", "batch");
        request.Headers.Add("x-ms-version", ServiceVersion);
        request.Headers.Add("Content-Type", "multipart/mixed; boundary=" + boundary);
        request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body.ToString()));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);

        var response = message.Response;
        if (response.Status != 202)
        {
            throw new RequestFailedException(response);
        }
        var answers = BatchAnswer.Parse(response.Headers.ContentType, response.Content.ToString());
        if (answers.Count == 1 && answers[0].Id is null && answers[0].Status >= 400)
        {
            // The service refused the batch as a whole, in one part without a Content-ID.
            throw new RequestFailedException(answers[0].Status, answers[0].Reason, answers[0].ErrorCode, null);
        }
        if (answers.Count != names.Count || answers.Any(a => a.Id is not { } id || id < 0 || id >= names.Count))
        {
            throw new RequestFailedException(response.Status, $"the batch of {names.Count:N0} deletes was answered with {answers.Count:N0} parts", "InvalidBatchResponse", null);
        }
        return answers.Where(a => a.Status != 202 && !(a.Status == 404 && a.ErrorCode == "BlobNotFound"))
            .OrderBy(a => a.Id).Select(a => (names[a.Id!.Value], a)).ToArray();
    }

    /// <summary>One part of a batch's answer: its Content-ID (the sub-request's index), status and error code.</summary>
    internal sealed record BatchAnswer(int? Id, int Status, string Reason, string? ErrorCode)
    {
        /// <summary>The parts of a multipart/mixed answer, in the order they came.</summary>
        public static List<BatchAnswer> Parse(string? contentType, string body)
        {
            const string boundaryIs = "boundary=";
            var at = contentType?.IndexOf(boundaryIs, StringComparison.OrdinalIgnoreCase) ?? -1;
            if (at < 0)
            {
                throw new RequestFailedException(202, $"the batch's answer is not multipart/mixed ({contentType})", "InvalidBatchResponse", null);
            }
            var delimiter = "--" + contentType![(at + boundaryIs.Length)..].Split(';')[0].Trim().Trim('"');
            var answers = new List<BatchAnswer>();
            foreach (var part in body.Split(delimiter).Skip(1))
            {
                if (part.StartsWith("--", StringComparison.Ordinal))
                {
                    break; // the closing delimiter
                }
                var lines = part.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
                var line = lines.Count > 1 ? lines.FindIndex(1, l => l.Length == 0) : -1; // the part's headers end at a blank line
                if (line < 0 || line + 1 >= lines.Count)
                {
                    throw new RequestFailedException(202, "a part of the batch's answer has no answer in it", "InvalidBatchResponse", null);
                }
                int? id = null;
                foreach (var header in lines.Skip(1).Take(line - 1))
                {
                    if (Header(header, "Content-ID") is { } value && int.TryParse(value, out var parsed))
                    {
                        id = parsed;
                    }
                }
                // Then the answer itself: "HTTP/1.1 202 Accepted", its headers, a blank line, maybe a body.
                var status = lines[line + 1].Split(' ', 3);
                if (status.Length < 2 || !int.TryParse(status[1], out var code))
                {
                    throw new RequestFailedException(202, $"a part of the batch's answer has no status line ('{lines[line + 1]}')", "InvalidBatchResponse", null);
                }
                string? errorCode = null;
                foreach (var header in lines.Skip(line + 2).TakeWhile(l => l.Length > 0))
                {
                    errorCode ??= Header(header, "x-ms-error-code");
                }
                answers.Add(new BatchAnswer(id, code, status.Length > 2 ? status[2] : "", errorCode));
            }
            return answers;
        }

        private static string? Header(string line, string name) =>
            line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.OrdinalIgnoreCase)
                ? line[(name.Length + 1)..].Trim()
                : null;
    }

    /// <summary>The client's pipeline and authentication policy (protected statics of <see cref="BlobServiceClient"/>).</summary>
    private sealed class ClientParts : BlobServiceClient
    {
        private ClientParts()
        {
        }

        public static HttpPipeline Pipeline(BlobServiceClient client) => GetHttpPipeline(client);

        public static HttpPipelinePolicy Authentication(BlobServiceClient client) => GetAuthenticationPolicy(client);
    }

    /// <summary>Ends a sub-request's pipeline once its policies have authorized it: nothing goes on the wire.</summary>
    private sealed class NeverSends(HttpPipeline live) : HttpPipelineTransport
    {
        public override Request CreateRequest() => live.CreateRequest();

        public override void Process(HttpMessage message) => message.Response = new Unsent();

        public override ValueTask ProcessAsync(HttpMessage message)
        {
            message.Response = new Unsent();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Unsent : Response
    {
        public override int Status => 202;

        public override string ReasonPhrase => "Accepted";

        public override Stream? ContentStream { get; set; }

        public override string ClientRequestId { get; set; } = "";

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }
    }
}
