using Microsoft.AspNetCore.Http.HttpResults;
using Storemon.Storage;

namespace Storemon.Api.Ingestion;

/// <summary>
/// Tells <see cref="WriteOutcomes"/> (and so /health) how each import ended: one that the database failed
/// (full disk, outage, damaged data) makes the database's writes unhealthy until an import writes rows
/// again. A file rejected for its content, or one with no valid row, wrote nothing and says nothing of the
/// database either way.
/// </summary>
internal static class ImportOutcomes
{
    public static TBuilder RecordImportOutcomes<TBuilder>(this TBuilder endpoints) where TBuilder : IEndpointConventionBuilder =>
        endpoints.AddEndpointFilter(async (context, next) =>
        {
            var outcomes = context.HttpContext.RequestServices.GetRequiredService<WriteOutcomes>();
            try
            {
                var result = await next(context);
                if (Imported(result) > 0)
                {
                    outcomes.Succeeded(WriteKind.Import);
                }
                return result;
            }
            catch (Exception e)
            {
                outcomes.Failed(WriteKind.Import, e);
                throw;
            }
        });

    private static int Imported(object? result) => result switch
    {
        Ok<ImportSummaryView> ok => ok.Value?.Imported ?? 0,
        INestedHttpResult nested => Imported(nested.Result),
        _ => 0,
    };
}
