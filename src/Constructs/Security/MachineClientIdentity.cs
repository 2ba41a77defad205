using Amazon.CDK;
using Amazon.CDK.AWS.Cognito;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;

namespace TradingPlatform.Constructs.Security;

public sealed record MachineClientIdentityProps
{
    /// <summary>Required. The environment's fixed names: the pool's, and each app client's.</summary>
    public required ResourceNames Names { get; init; }
    /// <summary>Required. Prefix of the Cognito domain serving the token endpoint (unique per region across accounts).</summary>
    public required string TokenDomainPrefix { get; init; }
    /// <summary>Required. Deletion protection on the pool: clients hold its app client ids and secrets.</summary>
    public required bool DeletionProtection { get; init; }
    /// <summary>Required. What happens to the pool when the stack is deleted.</summary>
    public required RemovalPolicy RemovalPolicy { get; init; }
    /// <summary>The machine clients, each getting an app client with the client-credentials grant. Default: none.</summary>
    public IReadOnlyList<TradingClient> Clients { get; init; } = [];
}

/// <summary>
/// Who may call the trading API: a Cognito user pool for machine clients only (no sign-up, no users), the resource
/// server "trading-api" with the scope "trades.write", the domain serving the OAuth2 token endpoint, and one app
/// client per configured trading client with the client-credentials grant and nothing else. The Api layer's
/// authorizer trusts this pool; the API key of the same client is made there.
/// </summary>
public sealed class MachineClientIdentity : PlatformComponent
{
    public const string ResourceServerIdentifier = "trading-api";
    public const string WriteScopeName = "trades.write";
    /// <summary>The scope as tokens carry it and the authorizer requires it: "&lt;resource server&gt;/&lt;scope&gt;".</summary>
    public const string WriteScope = ResourceServerIdentifier + "/" + WriteScopeName;

    /// <summary>Short-lived tokens: a revoked client's token stops working within this time at the latest.</summary>
    public static readonly Duration AccessTokenValidity = Duration.Hours(1);

    public UserPool Pool { get; }
    public UserPoolResourceServer ResourceServer { get; }
    public UserPoolDomain Domain { get; }
    /// <summary>App clients by trading client name.</summary>
    public IReadOnlyDictionary<string, UserPoolClient> Clients { get; }

    public MachineClientIdentity(Construct scope, string id, MachineClientIdentityProps props) : base(scope, id)
    {
        Pool = new UserPool(this, "MachineClientPool", new UserPoolProps
        {
            UserPoolName = props.Names.MachineClientPool,
            // Machine clients only: nobody signs up, and no user is ever created (client credentials need none).
            SelfSignUpEnabled = false,
            SignInAliases = new SignInAliases { Username = true },
            AccountRecovery = AccountRecovery.NONE,
            // Never used (no users), but if someone created a user by hand it would need a strong password and MFA.
            PasswordPolicy = new PasswordPolicy
            {
                MinLength = 14, RequireLowercase = true, RequireUppercase = true, RequireDigits = true, RequireSymbols = true,
                TempPasswordValidity = Duration.Days(1),
            },
            Mfa = Mfa.REQUIRED,
            MfaSecondFactor = new MfaSecondFactor { Otp = true, Sms = false },
            // Clients hold their app client ids and secrets: the pool must not be replaced or deleted where they matter.
            DeletionProtection = props.DeletionProtection,
            RemovalPolicy = props.RemovalPolicy,
        });

        var write = new ResourceServerScope(new ResourceServerScopeProps
        {
            ScopeName = WriteScopeName,
            ScopeDescription = "Submit trade batches (POST /data)",
        });
        ResourceServer = Pool.AddResourceServer("TradingApiResourceServer", new UserPoolResourceServerOptions
        {
            Identifier = ResourceServerIdentifier,
            UserPoolResourceServerName = ResourceServerIdentifier,
            Scopes = [write],
        });
        var writeScope = OAuthScope.ResourceServer(ResourceServer, write);

        // The token endpoint: https://<prefix>.auth.<region>.amazoncognito.com/oauth2/token (prefix validated by the loader).
        Domain = Pool.AddDomain("TokenDomain", new UserPoolDomainOptions
        {
            CognitoDomain = new CognitoDomainOptions { DomainPrefix = props.TokenDomainPrefix },
        });

        // Construct ids come from the client's name only, so reordering the list changes no logical id.
        Clients = props.Clients.ToDictionary(client => client.Name, client => Pool.AddClient($"Client-{client.Name}", new UserPoolClientOptions
        {
            UserPoolClientName = props.Names.AppClient(client.Name),
            GenerateSecret = true,
            // No user flows: only the refresh-token flow CDK always adds, which client credentials never use.
            AuthFlows = new AuthFlow { AdminUserPassword = false, Custom = false, UserPassword = false, UserSrp = false },
            OAuth = new OAuthSettings
            {
                Flows = new OAuthFlows { ClientCredentials = true },
                Scopes = [writeScope],
            },
            SupportedIdentityProviders = [UserPoolClientIdentityProvider.COGNITO],
            AccessTokenValidity = AccessTokenValidity,
            PreventUserExistenceErrors = true,
            EnableTokenRevocation = true,
        }));

        var stack = Stack.Of(this);
        new CfnOutput(stack, "MachineClientPoolId", new CfnOutputProps
        {
            Value = Pool.UserPoolId,
            Description = "Cognito user pool of the API's machine clients (aws cognito-idp list-user-pool-clients --user-pool-id ...)",
        });
        new CfnOutput(stack, "TokenEndpoint", new CfnOutputProps
        {
            Value = $"{Domain.BaseUrl()}/oauth2/token",
            Description = "OAuth2 token endpoint (client credentials grant, scope " + WriteScope + ")",
        });

        NagSuppressions.Add(Pool,
            new NagSuppression("AwsSolutions-COG8",
                "Machine clients only: the pool has no users, so the Plus plan's threat protection for user sign-ins has nothing to protect; clients authenticate with client credentials."));
    }
}
