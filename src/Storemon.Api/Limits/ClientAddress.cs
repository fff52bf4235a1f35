using System.Net;
using System.Net.Sockets;

namespace Storemon.Api.Limits;

/// <summary>
/// Who a request comes from, as the limits count it: the connection's address (the proxy's, unless
/// forwarded headers are enabled: <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> makes it the
/// client's from <c>X-Forwarded-For</c>). An IPv4 address is itself; an IPv6 address counts as its
/// /64 network, since one host is routinely given a whole /64 and could otherwise change address at will.
/// </summary>
internal static class ClientAddress
{
    public static string Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }
}
