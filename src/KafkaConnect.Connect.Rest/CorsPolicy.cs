using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// Cross-origin handling as Apache configures Jetty's CrossOriginFilter from <c>access.control.allow.origin</c>
/// and <c>access.control.allow.methods</c>: disabled when the origin setting is empty.
/// </summary>
internal sealed class CorsPolicy
{
    private const string AllowedHeaders = "X-Requested-With,Content-Type,Accept,Origin";
    private readonly bool _anyOrigin;
    private readonly HashSet<string> _origins;
    private readonly string _methods;
    private readonly HashSet<string> _methodSet;

    private CorsPolicy(string origins, string methods)
    {
        _origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var origin in origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (origin == "*")
            {
                _anyOrigin = true;
            }
            _origins.Add(origin);
        }
        _methods = string.IsNullOrWhiteSpace(methods) ? "GET,POST,HEAD" : methods.Replace(" ", "", StringComparison.Ordinal);
        _methodSet = new HashSet<string>(_methods.Split(',', StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);
    }

    public static CorsPolicy? Create(string allowOrigin, string allowMethods) =>
        string.IsNullOrWhiteSpace(allowOrigin) ? null : new CorsPolicy(allowOrigin, allowMethods);

    /// <summary>Adds the CORS headers; returns true when the request was a preflight and has been answered.</summary>
    public bool Apply(HttpContext ctx)
    {
        var origin = ctx.Request.Headers.Origin;
        if (StringValues.IsNullOrEmpty(origin) || !(_anyOrigin || _origins.Contains(origin.ToString())))
        {
            return false;
        }
        var headers = ctx.Response.Headers;
        var isPreflight = HttpMethods.IsOptions(ctx.Request.Method)
            && !StringValues.IsNullOrEmpty(ctx.Request.Headers.AccessControlRequestMethod);
        if (isPreflight)
        {
            if (!_methodSet.Contains(ctx.Request.Headers.AccessControlRequestMethod.ToString()))
            {
                ctx.Response.StatusCode = StatusCodes.Status200OK; // no CORS headers: the browser refuses
                return true;
            }
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowMethods = _methods;
            headers.AccessControlAllowHeaders = AllowedHeaders;
            headers.AccessControlMaxAge = "1800";
            headers.Vary = "Origin";
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            return true;
        }
        headers.AccessControlAllowOrigin = origin;
        headers.Vary = "Origin";
        return false;
    }
}
