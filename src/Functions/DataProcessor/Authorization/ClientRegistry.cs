using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace TradingPlatform.Functions.DataProcessor.Authorization;

/// <summary>What the registry says about an API key id.</summary>
internal enum RegistryStatus
{
    /// <summary>No item for the key id.</summary>
    Unknown,

    /// <summary>An item whose clientId, accountIds or status is missing or malformed: not authorized.</summary>
    Malformed,

    Active,

    Revoked,
}

/// <summary>
/// One client registry item (table API_KEYS_TABLE, partition key <c>apiKeyId</c>): the Cognito app client the key
/// belongs to, the account ids it may write, and its status. <see cref="AccountIds"/> is empty unless Active.
/// </summary>
internal sealed record ClientRecord(RegistryStatus Status, string? ClientId, IReadOnlySet<string> AccountIds)
{
    public static readonly ClientRecord Unknown = new(RegistryStatus.Unknown, null, new HashSet<string>());

    public static readonly ClientRecord Malformed = new(RegistryStatus.Malformed, null, new HashSet<string>());
}

/// <summary>Looks up an API key id. Any failure of the store (throttling, 5xx, network, timeout) is thrown, never hidden.</summary>
internal interface IClientRegistry
{
    Task<ClientRecord> GetAsync(string apiKeyId, CancellationToken cancellationToken);
}

/// <summary>
/// The registry in DynamoDB: one strongly consistent GetItem per lookup, projected on the three attributes it needs
/// (so nothing else in the item is read). The caller needs <c>dynamodb:GetItem</c> on the table and nothing more.
/// </summary>
internal sealed class DynamoDbClientRegistry(IAmazonDynamoDB dynamoDb, string tableName) : IClientRegistry
{
    public const string KeyAttribute = "apiKeyId";
    public const string ClientIdAttribute = "clientId";
    public const string AccountIdsAttribute = "accountIds";
    public const string StatusAttribute = "status";
    public const string ActiveStatus = "ACTIVE";
    public const string RevokedStatus = "REVOKED";

    public async Task<ClientRecord> GetAsync(string apiKeyId, CancellationToken cancellationToken)
    {
        var response = await dynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = tableName,
            Key = new Dictionary<string, AttributeValue> { [KeyAttribute] = new AttributeValue { S = apiKeyId } },
            // Strongly consistent: a revocation is seen by the next lookup, so the cache TTL alone bounds staleness.
            ConsistentRead = true,
            // "status" is a DynamoDB reserved word.
            ProjectionExpression = "#c, #a, #s",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#c"] = ClientIdAttribute,
                ["#a"] = AccountIdsAttribute,
                ["#s"] = StatusAttribute,
            },
        }, cancellationToken).ConfigureAwait(false);

        return response.Item is { Count: > 0 } item ? Read(item) : ClientRecord.Unknown;
    }

    /// <summary>The item as a record; anything missing or of the wrong type makes it <see cref="RegistryStatus.Malformed"/>.</summary>
    internal static ClientRecord Read(Dictionary<string, AttributeValue> item)
    {
        if (!item.TryGetValue(StatusAttribute, out var statusValue) || statusValue.S is not { } status)
        {
            return ClientRecord.Malformed;
        }

        if (status == RevokedStatus)
        {
            return new ClientRecord(RegistryStatus.Revoked, null, new HashSet<string>());
        }

        if (status != ActiveStatus
            || !item.TryGetValue(ClientIdAttribute, out var clientValue) || string.IsNullOrEmpty(clientValue.S)
            || !item.TryGetValue(AccountIdsAttribute, out var accountsValue))
        {
            return ClientRecord.Malformed;
        }

        var accounts = new HashSet<string>(StringComparer.Ordinal);
        if (accountsValue.SS is { Count: > 0 } set)
        {
            accounts.UnionWith(set);
        }
        else if (accountsValue.L is { Count: > 0 } list)
        {
            foreach (var element in list)
            {
                if (string.IsNullOrEmpty(element.S))
                {
                    return ClientRecord.Malformed;
                }

                accounts.Add(element.S);
            }
        }
        else
        {
            return ClientRecord.Malformed;
        }

        return new ClientRecord(RegistryStatus.Active, clientValue.S, accounts);
    }
}

/// <summary>
/// Per execution environment, records (including "unknown" and "malformed" answers: a flood of bad keys costs one
/// read per key per TTL) are kept for <paramref name="ttl"/>, so a registry change, a revocation above all, takes
/// effect within the TTL. Failures are never cached. At most <paramref name="maxEntries"/> entries: when full, the
/// expired ones are dropped, and if none were, all of them (memory stays bounded whatever keys arrive).
/// A TTL of zero disables the cache.
/// </summary>
internal sealed class CachedClientRegistry(IClientRegistry inner, TimeSpan ttl, TimeProvider time, int maxEntries = CachedClientRegistry.DefaultMaxEntries) : IClientRegistry
{
    public const int DefaultMaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (ClientRecord Record, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public async Task<ClientRecord> GetAsync(string apiKeyId, CancellationToken cancellationToken)
    {
        if (ttl <= TimeSpan.Zero)
        {
            return await inner.GetAsync(apiKeyId, cancellationToken).ConfigureAwait(false);
        }

        var now = time.GetUtcNow();
        if (_entries.TryGetValue(apiKeyId, out var entry) && now < entry.Expires)
        {
            return entry.Record;
        }

        var record = await inner.GetAsync(apiKeyId, cancellationToken).ConfigureAwait(false);
        if (_entries.Count >= maxEntries && !_entries.ContainsKey(apiKeyId))
        {
            foreach (var (key, value) in _entries)
            {
                if (value.Expires <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= maxEntries)
            {
                _entries.Clear();
            }
        }

        // Expiry counts from before the read: the answer is never older than the TTL when it is last used.
        _entries[apiKeyId] = (record, now + ttl);
        return record;
    }
}
