using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Storemon.Api.Storage;
using Storemon.Storage;

namespace Storemon.Api.Access;

/// <summary>
/// The keys that protect dashboard session cookies (ASP.NET Core data protection), kept in the
/// service's own database instead of the default key folder in the user's home: every API process
/// over that database reads a cookie that any of them issued, and sessions outlive a restart, also
/// in a container without a persistent home folder. The keys are stored as data protection writes
/// them, not encrypted at rest, so the database guards them as it guards the reports.
/// </summary>
internal static class SessionKeys
{
    /// <summary>
    /// The application name that every process shares: data protection isolates applications by it,
    /// and its default (the content root path) differs between machines that install the service in
    /// different folders.
    /// </summary>
    public const string ApplicationName = "storemon";

    public static WebApplicationBuilder AddSessionKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IDataProtectionKeyStore>((options, keys) => options.XmlRepository = new DatabaseKeyRepository(keys));
        builder.Services.AddSingleton(services =>
        {
            // The database's schema (which has the key ring's table) is migrated as its store is made.
            services.GetRequiredService<IStoremonDatabase>();
            return DataProtectionKeys.Open(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Database);
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<FirstKey>();
        return builder;
    }

    /// <summary>The key ring's storage for the data protection key manager: rows of the database, only ever added.</summary>
    internal sealed class DatabaseKeyRepository(IDataProtectionKeyStore keys) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() =>
            [.. keys.ListDataProtectionKeys().Select(static key => XElement.Parse(key.Xml))];

        // The key manager names a key after its id ("key-<guid>"), so the unique name is the key's identity.
        public void StoreElement(XElement element, string friendlyName) =>
            keys.AddDataProtectionKey(friendlyName, element.ToString(SaveOptions.DisableFormatting));
    }

    /// <summary>
    /// Makes the key ring's first key under the database's key-ring lock, before data protection loads
    /// the ring at start (in a hosted service of its own, whose StartAsync follows every StartingAsync).
    /// Processes starting together over a new database would otherwise each make a key, and one that
    /// read the ring before another's key was written would not know that key until its next refresh,
    /// a day later, refusing every session issued with it meanwhile.
    /// </summary>
    private sealed class FirstKey(IKeyManager keys, IDataProtectionKeyStore store, IOptions<KeyManagementOptions> options, TimeProvider time)
        : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken)
        {
            // Making a key takes milliseconds: a minute's wait means the holder is stuck, and the start fails saying so.
            store.WithKeyRingLocked(() =>
            {
                var now = time.GetUtcNow();
                if (!keys.GetAllKeys().Any(key => !key.IsRevoked && key.ActivationDate <= now && now < key.ExpirationDate))
                {
                    keys.CreateNewKey(now, now + options.Value.NewKeyLifetime);
                }
            }, TimeSpan.FromMinutes(1));
            return Task.CompletedTask;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
