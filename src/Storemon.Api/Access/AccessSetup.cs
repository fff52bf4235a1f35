using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Storemon.Api.Limits;

namespace Storemon.Api.Access;

/// <summary>One API key: who holds it, the key itself, and what it may do.</summary>
public sealed class ApiKeyOptions
{
    // Both are checked at start by AddApiKeyAccess's validation, which names the rule it enforces.
    public string Name { get; set; } = "";

    /// <summary>The secret; at least 16 characters.</summary>
    public string Key { get; set; } = "";

    /// <summary>Any of reports:read, reports:write, ingest, admin (admin may do everything).</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>Who may call the service. With no key configured it runs open, unless keys are required.</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>Refuse to start without keys (for production).</summary>
    public bool RequireKeys { get; set; }

    public List<ApiKeyOptions> Keys { get; set; } = [];

    /// <summary>Wrong keys from one client address within <see cref="FailedKeyWindow"/> after which its requests with a key are refused until the window ends; 0: no limit.</summary>
    public int FailedKeyLimit { get; set; } = 20;

    public TimeSpan FailedKeyWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// API keys through ASP.NET Core's authentication and authorization: the <c>X-Api-Key</c> header
/// names a configured key, whose scopes become claims; every endpoint requires the scope of what it
/// does (one policy per scope), and everything but <c>/health</c> and the API reference requires a key.
/// </summary>
internal static partial class AccessSetup
{
    public const string Scheme = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string ScopeClaim = "scope";

    public static WebApplicationBuilder AddApiKeyAccess(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccessOptions>()
            .Bind(builder.Configuration.GetSection(AccessOptions.Section))
            .Validate(o => !o.RequireKeys || o.Keys.Count > 0, "Access:RequireKeys is set but no key is configured under Access:Keys.")
            .Validate(o => o.Keys.All(k => k.Name.Length > 0 && k.Key.Length >= 16),
                "Every key under Access:Keys needs a Name and a Key of at least 16 characters.")
            .Validate(o => o.Keys.SelectMany(k => k.Scopes).All(Scopes.All.Contains),
                $"Every scope under Access:Keys must be one of: {string.Join(", ", Scopes.All)}.")
            .Validate(o => o.Keys.Select(k => k.Key).Distinct(StringComparer.Ordinal).Count() == o.Keys.Count, "Two keys under Access:Keys are the same.")
            .Validate(o => o.FailedKeyLimit >= 0 && o.FailedKeyWindow > TimeSpan.Zero,
                "Access:FailedKeyLimit must be 0 (no limit) or more, and Access:FailedKeyWindow positive.")
            .ValidateOnStart();

        // The keys are hashed once, for every request and the dashboard's sign-in alike.
        builder.Services.AddSingleton<KeyRing>();
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Scheme, null);
        builder.Services.AddAuthorization(options =>
        {
            foreach (var scope in Scopes.All)
            {
                options.AddPolicy(scope, policy => policy
                    .AddAuthenticationSchemes(Scheme)
                    .RequireAuthenticatedUser()
                    .RequireAssertion(context => context.User.HasClaim(ScopeClaim, scope) || context.User.HasClaim(ScopeClaim, Scopes.Admin)));
            }
            options.FallbackPolicy = new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build();
        });
        builder.Services.AddHostedService<OpenAccessWarning>();
        return builder;
    }

    /// <summary>The configured keys, hashed once so that every comparison takes the same time.</summary>
    internal sealed class KeyRing(IOptions<AccessOptions> options)
    {
        private readonly (byte[] Hash, ApiKeyOptions Key)[] _keys =
            [.. options.Value.Keys.Select(key => (SHA256.HashData(Encoding.UTF8.GetBytes(key.Key)), key))];

        public bool IsOpen => _keys.Length == 0;

        /// <summary>
        /// A fingerprint of the secret of the key named <paramref name="name"/> as configured now (null when
        /// there is none): a session carries it, so that a key whose secret changed under the same name ends
        /// the sessions started with the old secret. It is derived from the secret's hash and says nothing
        /// of the secret itself.
        /// </summary>
        public string? Fingerprint(string name)
        {
            foreach (var (hash, key) in _keys)
            {
                if (key.Name == name)
                {
                    return Convert.ToHexString(SHA256.HashData([.. Encoding.UTF8.GetBytes("storemon browser session\0"), .. hash]), 0, 16);
                }
            }
            return null;
        }

        /// <summary>The key of this name as it is configured now, or null when there is none.</summary>
        public ApiKeyOptions? Named(string name) => _keys.Select(k => k.Key).FirstOrDefault(k => k.Name == name);

        public ApiKeyOptions? Find(string presented)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
            ApiKeyOptions? found = null;
            foreach (var (candidate, key) in _keys)
            {
                // Every key is compared, in constant time: neither the time nor the order says which matched.
                if (CryptographicOperations.FixedTimeEquals(hash, candidate))
                {
                    found = key;
                }
            }
            return found;
        }
    }

    private sealed class ApiKeyHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, UrlEncoder encoder,
        KeyRing keys, FailedKeys failedKeys)
        // Not the logger factory: the framework would log three lines for every wrong key ("not authenticated"
        // twice, "challenged"); FailedKeys logs one, with the client's address.
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, NullLoggerFactory.Instance, encoder)
    {
        private readonly KeyRing _keys = keys;

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (_keys.IsOpen)
            {
                return Task.FromResult(Success("open access", Scopes.All));
            }
            if (!Request.Headers.TryGetValue(HeaderName, out var presented) || string.IsNullOrEmpty(presented))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }
            if (_keys.Find(presented.ToString()) is { } key)
            {
                return Task.FromResult(Success(key.Name, key.Scopes));
            }
            failedKeys.Failed(Context);
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = $"{AccessSetup.Scheme} header=\"{HeaderName}\"";
            await WriteProblem("An API key is required",
                Request.Headers.ContainsKey(HeaderName) ? "The API key is not valid." : $"Send an API key in the {HeaderName} header.");
        }

        protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            await WriteProblem("The API key lacks the scope", "This API key may not do this: it lacks the scope the endpoint requires.");
        }

        private static AuthenticateResult Success(string name, IEnumerable<string> scopes)
        {
            var claims = new List<Claim> { new(ClaimTypes.Name, name) };
            claims.AddRange(scopes.Select(scope => new Claim(ScopeClaim, scope)));
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, AccessSetup.Scheme)), AccessSetup.Scheme));
        }

        // A ProblemHttpResult writes JSON even when the client accepts only something else (Accept: text/csv),
        // where IProblemDetailsService.WriteAsync throws and the 401 or 403 would become a 500.
        private Task WriteProblem(string title, string detail) =>
            TypedResults.Problem(statusCode: Response.StatusCode, title: title, detail: detail).ExecuteAsync(Context);
    }

    /// <summary>Says loudly at start when the service runs without keys.</summary>
    private sealed partial class OpenAccessWarning(IOptions<AccessOptions> access, ILogger<OpenAccessWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (access.Value.Keys.Count == 0)
            {
                LogOpen();
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning,
            Message = "NO API KEY IS CONFIGURED: every endpoint is open to anyone who can reach it. Configure Access:Keys (and Access:RequireKeys=true) before exposing this service.")]
        private partial void LogOpen();
    }
}
