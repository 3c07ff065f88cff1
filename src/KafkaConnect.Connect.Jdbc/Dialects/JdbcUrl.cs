using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Jdbc.Dialects;

/// <summary>
/// Translates the jdbc: URLs users already have into a dialect and an ADO.NET connection string:
/// jdbc:postgresql://host[:port]/db?user=..&amp;password=.., jdbc:mysql:// and jdbc:mariadb://,
/// jdbc:sqlite:path, jdbc:sqlserver://host[:port];databaseName=..;user=..;password=...
/// connection.user / connection.password, when given, win over credentials in the URL.
/// </summary>
public sealed record JdbcUrl(IDatabaseDialect Dialect, string ConnectionString, string? Database)
{
    public static JdbcUrl Parse(string url, string? user = null, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var trimmed = url.Trim();
        if (!trimmed.StartsWith("jdbc:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigException("connection.url", url, "must start with jdbc:");
        }
        var rest = trimmed[5..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new ConfigException("connection.url", url, "has no database type (e.g. jdbc:postgresql://...)");
        }
        var kind = rest[..colon].ToLowerInvariant();
        var body = rest[(colon + 1)..];
        return kind switch
        {
            "postgresql" or "postgres" => ParsePostgres(url, body, user, password),
            "mysql" or "mariadb" => ParseMySql(url, body, user, password),
            "sqlite" => ParseSqlite(body),
            "sqlserver" => ParseSqlServer(url, body, user, password),
            _ => throw new ConfigException("connection.url", url, $"unsupported database type '{kind}' (postgresql, mysql, mariadb, sqlite, sqlserver)"),
        };
    }

    private static JdbcUrl ParsePostgres(string url, string body, string? user, string? password)
    {
        var (hosts, database, query) = SplitHierarchical(url, body);
        var sb = new StringBuilder();
        var hostList = new List<string>();
        string? port = null;
        foreach (var h in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (host, p) = SplitHostPort(h);
            hostList.Add(host);
            port ??= p;
        }
        Append(sb, "Host", hostList.Count == 0 ? "localhost" : string.Join(',', hostList));
        Append(sb, "Port", port ?? "5432");
        Append(sb, "Database", database);
        query.TryGetValue("user", out var qUser);
        query.TryGetValue("password", out var qPassword);
        Append(sb, "Username", user ?? qUser);
        Append(sb, "Password", password ?? qPassword);
        if (query.TryGetValue("ssl", out var ssl) && ssl == "true")
        {
            Append(sb, "SSL Mode", "Require");
        }
        if (query.TryGetValue("sslmode", out var sslMode))
        {
            Append(sb, "SSL Mode", sslMode switch { "disable" => "Disable", "allow" => "Allow", "prefer" => "Prefer", "verify-ca" => "VerifyCA", "verify-full" => "VerifyFull", _ => "Require" });
        }
        if (query.TryGetValue("currentSchema", out var schema))
        {
            Append(sb, "Search Path", schema);
        }
        if (query.TryGetValue("connectTimeout", out var timeout))
        {
            Append(sb, "Timeout", timeout);
        }
        return new JdbcUrl(new PostgreSqlDialect(), sb.ToString(), database);
    }

    private static JdbcUrl ParseMySql(string url, string body, string? user, string? password)
    {
        var (hosts, database, query) = SplitHierarchical(url, body);
        var (host, port) = SplitHostPort(hosts.Split(',')[0]);
        var sb = new StringBuilder();
        Append(sb, "Server", host.Length == 0 ? "localhost" : host);
        Append(sb, "Port", port ?? "3306");
        Append(sb, "Database", database);
        query.TryGetValue("user", out var qUser);
        query.TryGetValue("password", out var qPassword);
        Append(sb, "User Id", user ?? qUser);
        Append(sb, "Password", password ?? qPassword);
        var useSsl = query.TryGetValue("useSSL", out var s) ? s : null;
        Append(sb, "SslMode", useSsl == "true" ? "Required" : "None");
        Append(sb, "AllowPublicKeyRetrieval", "true");
        // Zero dates would otherwise throw while reading.
        Append(sb, "ConvertZeroDateTime", "true");
        Append(sb, "AllowLoadLocalInfile", "false");
        Append(sb, "CharacterSet", "utf8mb4");
        // CHAR(36) columns stay strings, as the JDBC driver reads them (MySqlConnector would return Guid).
        Append(sb, "GuidFormat", "None");
        return new JdbcUrl(new MySqlDialect(), sb.ToString(), database);
    }

    private static JdbcUrl ParseSqlite(string body)
    {
        var path = body;
        var q = path.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            path = path[..q];
        }
        if (path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            path = path[5..];
        }
        var sb = new StringBuilder();
        Append(sb, "Data Source", path.Length == 0 || path == ":memory:" ? ":memory:" : path);
        return new JdbcUrl(new SqliteDialect(), sb.ToString(), null);
    }

    private static JdbcUrl ParseSqlServer(string url, string body, string? user, string? password)
    {
        if (!body.StartsWith("//", StringComparison.Ordinal))
        {
            throw new ConfigException("connection.url", url, "expected jdbc:sqlserver://host[:port];property=value;...");
        }
        var parts = body[2..].Split(';', StringSplitOptions.RemoveEmptyEntries);
        var (host, port) = SplitHostPort(parts.Length > 0 ? parts[0] : "localhost");
        var props = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                props[parts[i][..eq]] = parts[i][(eq + 1)..];
            }
        }
        var sb = new StringBuilder();
        Append(sb, "Server", port is null ? host : $"{host},{port}");
        props.TryGetValue("databaseName", out var database);
        if (database is null)
        {
            props.TryGetValue("database", out database);
        }
        Append(sb, "Database", database);
        props.TryGetValue("user", out var qUser);
        props.TryGetValue("password", out var qPassword);
        Append(sb, "User Id", user ?? qUser);
        Append(sb, "Password", password ?? qPassword);
        if (props.TryGetValue("encrypt", out var encrypt))
        {
            Append(sb, "Encrypt", encrypt);
        }
        if (props.TryGetValue("trustServerCertificate", out var trust))
        {
            Append(sb, "TrustServerCertificate", trust);
        }
        if (props.TryGetValue("loginTimeout", out var loginTimeout))
        {
            Append(sb, "Connect Timeout", loginTimeout); // seconds in both drivers
        }
        if (props.TryGetValue("applicationName", out var application))
        {
            Append(sb, "Application Name", application);
        }
        return new JdbcUrl(new SqlServerDialect(), sb.ToString(), database);
    }

    // "//host:port/db?k=v&k2=v2" → (host part, db, query)
    private static (string Hosts, string? Database, Dictionary<string, string> Query) SplitHierarchical(string url, string body)
    {
        if (!body.StartsWith("//", StringComparison.Ordinal))
        {
            throw new ConfigException("connection.url", url, "expected //host[:port]/database after the database type");
        }
        var rest = body[2..];
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            foreach (var pair in rest[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                query[key] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
            rest = rest[..q];
        }
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var hosts = slash < 0 ? rest : rest[..slash];
        var database = slash < 0 ? null : Uri.UnescapeDataString(rest[(slash + 1)..]);
        return (hosts, string.IsNullOrEmpty(database) ? null : database, query);
    }

    private static (string Host, string? Port) SplitHostPort(string hostPort)
    {
        if (hostPort.StartsWith('['))
        {
            var end = hostPort.IndexOf(']', StringComparison.Ordinal);
            var host6 = hostPort[1..end];
            return (host6, end + 1 < hostPort.Length && hostPort[end + 1] == ':' ? hostPort[(end + 2)..] : null);
        }
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0)
        {
            return (hostPort, null);
        }
        var port = hostPort[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ConfigException("connection.url", hostPort, "invalid port");
        }
        return (hostPort[..colon], port);
    }

    private static void Append(StringBuilder sb, string key, string? value)
    {
        if (value is null)
        {
            return;
        }
        if (sb.Length > 0)
        {
            sb.Append(';');
        }
        sb.Append(key).Append('=');
        // Quote values containing separators or quotes, the way DbConnectionStringBuilder expects.
        if (value.AsSpan().IndexOfAny(";=\"' ") >= 0)
        {
            sb.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        else
        {
            sb.Append(value);
        }
    }
}
