using TradingPlatform.Functions.DataProcessor.Trades;

namespace TradingPlatform.Functions.DataProcessor.Authorization;

/// <summary>What <see cref="CallerAuthorizer.AuthorizeAsync"/> decided about the caller.</summary>
internal abstract record CallerVerdict;

/// <summary>A registered, active key of the token's own client: <see cref="Client"/> says which accounts it may write.</summary>
internal sealed record CallerAllowed(ClientRecord Client) : CallerVerdict;

/// <summary>No API key id or no token client in the event (401): API Gateway lets neither through, so a misconfiguration.</summary>
internal sealed record CallerUnidentified : CallerVerdict;

/// <summary>
/// 403: <see cref="Reason"/> is the client-facing reason; <see cref="Outcome"/> the log's, which may say more (a
/// malformed registry item is the operator's mistake, to the client simply an unknown key).
/// </summary>
internal sealed record CallerForbidden(string Reason, string Message, string Outcome) : CallerVerdict;

/// <summary>
/// Who may write what: the caller's API key must be registered, active and its token client's (checked before the body
/// is read), and every trade's account must be one of the client's (checked once the batch is valid).
/// </summary>
internal sealed class CallerAuthorizer(IClientRegistry registry, TimeSpan timeout, TimeProvider time)
{
    public const string UnknownKey = "unknown_api_key";
    public const string RevokedKey = "revoked_api_key";
    public const string ClientMismatch = "client_mismatch";
    public const string AccountNotAllowed = "account_not_allowed";

    /// <summary>One (cached) registry read; a failed or timed-out read throws, so that it is a 503, never a 403.</summary>
    public async Task<CallerVerdict> AuthorizeAsync(string? apiKeyId, string? clientId)
    {
        if (apiKeyId is not { Length: > 0 } || clientId is not { Length: > 0 })
        {
            return new CallerUnidentified();
        }

        ClientRecord record;
        using (var cancel = new CancellationTokenSource(timeout, time))
        {
            record = await registry.GetAsync(apiKeyId, cancel.Token).ConfigureAwait(false);
        }

        const string notRegistered = "The API key is not registered for writing trades.";
        return record.Status switch
        {
            RegistryStatus.Active when string.Equals(record.ClientId, clientId, StringComparison.Ordinal) => new CallerAllowed(record),
            RegistryStatus.Active => new CallerForbidden(ClientMismatch, "The API key belongs to another client than the access token's.", ClientMismatch),
            RegistryStatus.Revoked => new CallerForbidden(RevokedKey, "The API key is revoked.", RevokedKey),
            RegistryStatus.Malformed => new CallerForbidden(UnknownKey, notRegistered, "registry_item_malformed"),
            _ => new CallerForbidden(UnknownKey, notRegistered, UnknownKey),
        };
    }

    /// <summary>The position of every trade whose account the client may not write; null when all are its own.</summary>
    public static List<int>? ForeignAccounts(IReadOnlyList<Trade> trades, ClientRecord client)
    {
        List<int>? offending = null;
        for (var i = 0; i < trades.Count; i++)
        {
            if (!client.AccountIds.Contains(trades[i].AccountId))
            {
                (offending ??= []).Add(i);
            }
        }

        return offending;
    }
}
