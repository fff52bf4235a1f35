namespace Storemon.Api.Access;

/// <summary>The scopes an API key can hold; each is also the name of the authorization policy that requires it.</summary>
public static class Scopes
{
    public const string ReportsRead = "reports:read";
    public const string ReportsWrite = "reports:write";
    public const string Ingest = "ingest";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [ReportsRead, ReportsWrite, Ingest, Admin];
}
