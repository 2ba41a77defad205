using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace TradingPlatform.Functions.DataProcessor.Http;

/// <summary>
/// The parts of an API Gateway REST (v1) Lambda proxy event that the function reads, read straight from the
/// invocation's UTF-8 bytes with <see cref="Utf8JsonReader"/>: the body is unescaped once into pooled memory and never
/// becomes a UTF-16 string. Dispose returns the memory.
/// </summary>
internal sealed class ApiGatewayEvent : IDisposable
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16 };

    private byte[]? _eventBuffer;
    private byte[]? _bodyBuffer;
    private byte[]? _decodedBuffer;
    private bool _bodyExtracted;

    public string? HttpMethod { get; private set; }

    public string? RequestId { get; private set; }

    /// <summary><c>requestContext.identity.apiKeyId</c>: the id (not the value) of the API key API Gateway checked.</summary>
    public string? ApiKeyId { get; private set; }

    /// <summary><c>requestContext.authorizer.claims.client_id</c>: the app client of the Cognito access token.</summary>
    public string? ClientId { get; private set; }

    /// <summary>The raw body text (still base64 if <see cref="IsBase64Encoded"/>), UTF-8; null if absent or JSON null.</summary>
    public ReadOnlyMemory<byte>? Body { get; private set; }

    /// <summary>True when the body's text could not be decoded (an unpaired surrogate escape in the event).</summary>
    public bool BodyIsNotUnicode { get; private set; }

    public bool IsBase64Encoded { get; private set; }

    /// <summary>Every Idempotency-Key value found, in <c>headers</c> and in <c>multiValueHeaders</c> (null: not decodable).</summary>
    public List<string?> IdempotencyKeys { get; } = [];

    /// <summary>Reads the whole invocation; throws <see cref="JsonException"/> if it is not a JSON object.</summary>
    public static async Task<ApiGatewayEvent> ReadAsync(Stream input)
    {
        var evt = new ApiGatewayEvent();
        try
        {
            var length = await evt.ReadAllAsync(input).ConfigureAwait(false);
            var json = evt._eventBuffer.AsSpan(0, length);
            if (evt.TryExtractBody(json, out var remaining))
            {
                json = json[..remaining];
            }

            evt.Parse(json);
            return evt;
        }
        catch
        {
            evt.Dispose();
            throw;
        }
    }

    /// <summary>Decodes a base64 body into pooled memory; false if it is not valid base64.</summary>
    public bool TryDecodeBase64(ReadOnlyMemory<byte> text, out ReadOnlyMemory<byte> bytes)
    {
        _decodedBuffer = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(text.Length));
        var status = Base64.DecodeFromUtf8(text.Span, _decodedBuffer, out _, out var written);
        bytes = _decodedBuffer.AsMemory(0, written);
        return status == OperationStatus.Done;
    }

    public void Dispose()
    {
        Return(ref _eventBuffer);
        Return(ref _bodyBuffer);
        Return(ref _decodedBuffer);
    }

    private static void Return(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }

    private async Task<int> ReadAllAsync(Stream input)
    {
        var capacity = input.CanSeek ? (int)Math.Min(int.MaxValue - 1, Math.Max(0, input.Length - input.Position)) + 1 : 64 * 1024;
        _eventBuffer = ArrayPool<byte>.Shared.Rent(capacity);
        var length = 0;
        while (true)
        {
            if (length == _eventBuffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(_eventBuffer.Length * 2);
                _eventBuffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_eventBuffer);
                _eventBuffer = larger;
            }

            var read = await input.ReadAsync(_eventBuffer.AsMemory(length)).ConfigureAwait(false);
            if (read == 0)
            {
                return length;
            }

            length += read;
        }
    }

    /// <summary>
    /// Fast path for the body, most of the event: the reader would scan its string once to validate it and
    /// <see cref="Utf8JsonReader.CopyString(Span{byte})"/> once more to unescape it. Here one pass unescapes it into
    /// pooled memory, and the string is cut out of the event (replaced by <c>""</c>, the tail moved up) so that the
    /// full read of the event that follows does not scan it again. Anything unusual (no string, a bad escape, invalid
    /// JSON before it) returns false and leaves the event untouched for the ordinary path, which reports it.
    /// </summary>
    private bool TryExtractBody(Span<byte> json, out int remaining)
    {
        remaining = json.Length;
        var reader = new Utf8JsonReader(json, Options);
        int quote;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (true)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
                {
                    return false;
                }

                if (reader.ValueTextEquals("body"u8))
                {
                    quote = (int)reader.BytesConsumed; // just past the colon
                    break;
                }

                reader.Read();
                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }

        while (quote < json.Length && json[quote] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            quote++;
        }

        if (quote >= json.Length || json[quote] != '"')
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(json.Length - quote);
        if (!JsonStringUnescaper.TryUnescape(json, quote + 1, buffer, out var end, out var written, out var notUnicode))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        _bodyBuffer = buffer;
        _bodyExtracted = true;
        BodyIsNotUnicode = notUnicode;
        Body = notUnicode ? ReadOnlyMemory<byte>.Empty : buffer.AsMemory(0, written);

        // "body":"<long text>"... becomes "body":""...
        json[(end + 1)..].CopyTo(json[(quote + 2)..]);
        json[quote + 1] = (byte)'"';
        remaining = json.Length - (end - quote - 1);
        return true;
    }

    private void Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The invocation event is not a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("httpMethod"u8))
            {
                reader.Read();
                HttpMethod = ReadOptionalString(ref reader);
            }
            else if (reader.ValueTextEquals("body"u8))
            {
                reader.Read();
                ReadBody(ref reader);
            }
            else if (reader.ValueTextEquals("isBase64Encoded"u8))
            {
                reader.Read();
                IsBase64Encoded = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("headers"u8))
            {
                reader.Read();
                ReadHeaders(ref reader, multiValue: false);
            }
            else if (reader.ValueTextEquals("multiValueHeaders"u8))
            {
                reader.Read();
                ReadHeaders(ref reader, multiValue: true);
            }
            else if (reader.ValueTextEquals("requestContext"u8))
            {
                reader.Read();
                ReadRequestContext(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.Read())
        {
            throw new JsonException("Unexpected data after the invocation event.");
        }
    }

    private void ReadBody(ref Utf8JsonReader reader)
    {
        if (_bodyExtracted)
        {
            _bodyExtracted = false; // a repeated "body" property is read normally, and the last one wins
            reader.Skip();
            return;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return;
        }

        if (!reader.ValueIsEscaped)
        {
            // No escapes: the body is the event's own bytes.
            var start = (int)reader.TokenStartIndex + 1;
            Body = _eventBuffer.AsMemory(start, reader.ValueSpan.Length);
            return;
        }

        _bodyBuffer = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            Body = _bodyBuffer.AsMemory(0, reader.CopyString(_bodyBuffer));
        }
        catch (InvalidOperationException)
        {
            // An unpaired surrogate escape in the body's text: the client sent text that is not Unicode.
            BodyIsNotUnicode = true;
            Body = ReadOnlyMemory<byte>.Empty;
        }
    }

    private void ReadHeaders(ref Utf8JsonReader reader, bool multiValue)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isKey = IsIdempotencyKeyName(ref reader);
            reader.Read();
            if (!isKey)
            {
                reader.Skip();
            }
            else if (multiValue && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    AddKey(ref reader);
                }
            }
            else
            {
                AddKey(ref reader);
            }
        }
    }

    private void AddKey(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                IdempotencyKeys.Add(TryGetString(ref reader));
                break;
            case JsonTokenType.Null:
                break; // API Gateway's "no value"
            default:
                IdempotencyKeys.Add(null);
                reader.Skip();
                break;
        }
    }

    /// <summary>Header names are case-insensitive (HTTP); compared on the unescaped bytes.</summary>
    private static bool IsIdempotencyKeyName(ref Utf8JsonReader reader)
    {
        var name = "idempotency-key"u8;
        if (!reader.ValueIsEscaped)
        {
            return Ascii.EqualsIgnoreCase(reader.ValueSpan, name);
        }

        if (reader.ValueSpan.Length > 6 * name.Length)
        {
            return false;
        }

        Span<byte> unescaped = stackalloc byte[6 * name.Length];
        try
        {
            return Ascii.EqualsIgnoreCase(unescaped[..reader.CopyString(unescaped)], name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private void ReadRequestContext(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("requestId"u8))
            {
                reader.Read();
                RequestId = ReadOptionalString(ref reader);
            }
            else if (reader.ValueTextEquals("identity"u8))
            {
                reader.Read();
                ApiKeyId = ReadNestedString(ref reader, "apiKeyId"u8, default);
            }
            else if (reader.ValueTextEquals("authorizer"u8))
            {
                reader.Read();
                ClientId = ReadNestedString(ref reader, "claims"u8, "client_id"u8);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>
    /// In the object at the reader, the string property <paramref name="name"/> or, when <paramref name="inner"/> is
    /// given, the string property <paramref name="inner"/> of the object <paramref name="name"/>. Null when absent or
    /// not a string; anything else is skipped.
    /// </summary>
    private static string? ReadNestedString(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, ReadOnlySpan<byte> inner)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? found = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (!match)
            {
                reader.Skip();
            }
            else if (inner.IsEmpty)
            {
                found = ReadOptionalString(ref reader);
            }
            else
            {
                found = ReadNestedString(ref reader, inner, default);
            }
        }

        return found;
    }

    private static string? ReadOptionalString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return TryGetString(ref reader);
        }

        reader.Skip();
        return null;
    }

    /// <summary>The string, or null if it holds an unpaired surrogate escape (not representable, never trusted).</summary>
    private static string? TryGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
