using System.Globalization;
using System.Net;
using System.Xml;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;
using Amazon.S3.Model;
using Amazon.S3.Model.Internal.MarshallTransformations;

namespace StaticAssets.Engine.Storage.S3;

internal sealed partial class PublishS3Client
{
    /// <summary>One page of a ListObjectsV2 listing, sent, signed, retried and its errors read by the SDK as
    /// <see cref="Amazon.S3.AmazonS3Client.ListObjectsV2Async(ListObjectsV2Request, CancellationToken)"/> does, its
    /// answer read by <see cref="ListingPage.Read"/> instead of the SDK's XML unmarshaller.</summary>
    public Task<ListingPage> ListPageAsync(ListObjectsV2Request request, CancellationToken cancellationToken) =>
        InvokeAsync<ListingPage>(request, new InvokeOptions
        {
            RequestMarshaller = ListObjectsV2RequestMarshaller.Instance,
            ResponseUnmarshaller = ListingPageUnmarshaller.Instance,
        }, cancellationToken);

    /// <summary>The SDK's ListObjectsV2 unmarshaller (its context, response metadata and error answers) with the
    /// successful answer read by <see cref="ListingPage.Read"/>.</summary>
    private sealed class ListingPageUnmarshaller : ListObjectsV2ResponseUnmarshaller
    {
        public static new ListingPageUnmarshaller Instance { get; } = new();

        public override AmazonWebServiceResponse Unmarshall(XmlUnmarshallerContext context) => ListingPage.Read(context.Stream);
    }
}

/// <summary>
/// What a listing needs of a ListObjectsV2 answer: each object's key, size and time, and where the next page starts.
/// Read with one forward-only <see cref="XmlReader"/> (2.5 ms and 314 KB a page of 1,000 keys), because the SDK's
/// unmarshaller builds its element path as new strings at every element and tests each known path against it: the
/// client's CPU for the 11,109 keys a rollback of the 3,000-file tree lists went from 0.14-0.24 s to 0.09-0.20 s (a warm
/// process, 8 listings each), CPU the server needs for the same listing on a machine it shares (docs/benchmarks.md).
/// </summary>
internal sealed class ListingPage : AmazonWebServiceResponse
{
    /// <summary>S3 keys may hold characters XML 1.0 does not allow (sent as character references); the SDK reads them
    /// with the same leniency.</summary>
    private static readonly XmlReaderSettings Settings = new()
    {
        CheckCharacters = false,
        DtdProcessing = DtdProcessing.Ignore,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        XmlResolver = null,
    };

    /// <summary>The objects listed, keys as the store gives them (with the prefix), in the store's order.</summary>
    public List<StoredObjectInfo> Objects { get; } = [];

    public bool IsTruncated { get; private set; }

    public string? NextContinuationToken { get; private set; }

    public static ListingPage Read(Stream answer)
    {
        var page = new ListingPage();
        var urlEncoded = false;
        using var reader = XmlReader.Create(answer, Settings);
        if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "ListBucketResult")
        {
            throw new XmlException($"A listing's answer is not a <ListBucketResult> but <{reader.LocalName}>.");
        }
        // Each case reads its element whole (as Skip does the rest), and leaves the reader on what follows it.
        for (var more = StartChildren(reader); more; more = NextChild(reader))
        {
            switch (reader.LocalName)
            {
                case "Contents":
                    page.Objects.Add(ReadObject(reader));
                    break;
                case "IsTruncated":
                    page.IsTruncated = XmlConvert.ToBoolean(reader.ReadElementContentAsString());
                    break;
                case "NextContinuationToken":
                    page.NextContinuationToken = reader.ReadElementContentAsString();
                    break;
                case "EncodingType":
                    urlEncoded = reader.ReadElementContentAsString() == "url";
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (page.IsTruncated && string.IsNullOrEmpty(page.NextContinuationToken))
        {
            // Ending here would take a partial listing for the whole (a prune or rollback decides on it).
            throw new XmlException("A listing's answer says it is truncated but gives no <NextContinuationToken>.");
        }
        if (urlEncoded)
        {
            // Only if asked for (a listing here never asks); decoded as the SDK decodes them.
            for (var i = 0; i < page.Objects.Count; i++)
            {
                page.Objects[i] = page.Objects[i] with { Key = WebUtility.UrlDecode(page.Objects[i].Key) };
            }
        }
        return page;
    }

    private static StoredObjectInfo ReadObject(XmlReader reader)
    {
        string? key = null;
        long? size = null;
        DateTimeOffset modified = default;
        for (var more = StartChildren(reader); more; more = NextChild(reader))
        {
            switch (reader.LocalName)
            {
                case "Key":
                    key = reader.ReadElementContentAsString();
                    break;
                case "Size":
                    size = long.Parse(reader.ReadElementContentAsString(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "LastModified":
                    modified = XmlConvert.ToDateTimeOffset(reader.ReadElementContentAsString()).ToUniversalTime();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return new StoredObjectInfo(
            key ?? throw new XmlException("A listed object has no <Key>."),
            size ?? throw new XmlException($"The listed object '{key}' has no <Size>."),
            modified);
    }

    /// <summary>From an element to its first child element: false if it has none (the reader then past the element).</summary>
    private static bool StartChildren(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return false;
        }
        reader.Read();
        return NextChild(reader);
    }

    /// <summary>True if the reader is on a next child element; false once past the parent's end.</summary>
    private static bool NextChild(XmlReader reader)
    {
        if (reader.MoveToContent() == XmlNodeType.Element)
        {
            return true;
        }
        reader.ReadEndElement();
        return false;
    }
}
