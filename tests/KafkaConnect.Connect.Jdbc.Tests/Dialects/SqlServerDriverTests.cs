using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Dialects;
using Microsoft.Data.SqlClient;

namespace KafkaConnect.Connect.Jdbc.Tests.Dialects;

/// <summary>
/// The SQL Server dialect connects through the real Microsoft.Data.SqlClient driver. No SQL Server can run here, so
/// what is proven is the wiring: the JDBC URL becomes a connection string the driver accepts, and a connection attempt
/// is the driver's own, failing with its network error, named, within the URL's loginTimeout.
/// </summary>
public sealed class SqlServerDriverTests
{
    [Fact]
    public void The_jdbc_url_becomes_a_connection_string_the_driver_accepts()
    {
        var parsed = JdbcUrl.Parse(
            "jdbc:sqlserver://db.local:1433;databaseName=shop;encrypt=true;trustServerCertificate=true;loginTimeout=7;applicationName=kc",
            "sa", "s3cret");
        var builder = new SqlConnectionStringBuilder(parsed.ConnectionString);
        Assert.Equal("db.local,1433", builder.DataSource);
        Assert.Equal("shop", builder.InitialCatalog);
        Assert.Equal("sa", builder.UserID);
        Assert.Equal("s3cret", builder.Password);
        Assert.Equal(SqlConnectionEncryptOption.Mandatory, builder.Encrypt);
        Assert.True(builder.TrustServerCertificate);
        Assert.Equal(7, builder.ConnectTimeout);
        Assert.Equal("kc", builder.ApplicationName);

        using var connection = parsed.Dialect.CreateConnection(parsed.ConnectionString);
        var sql = Assert.IsType<SqlConnection>(connection);
        Assert.Equal("db.local,1433", sql.DataSource);
        Assert.Equal("shop", sql.Database);
    }

    [Fact]
    public async Task A_connection_attempt_to_a_port_with_no_server_fails_with_the_drivers_network_error()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var info = JdbcConnectionInfo.Create($"jdbc:sqlserver://127.0.0.1:{port};databaseName=shop;loginTimeout=3", "sa", "pw", attempts: 1);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ConnectException>(() => info.Dialect.OpenAsync(info, CancellationToken.None));
        clock.Stop();

        Assert.Contains("SqlServerDatabaseDialect", error.Message, StringComparison.Ordinal);
        var cause = Assert.IsType<SqlException>(error.InnerException);
        Assert.Contains("network-related", cause.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the attempt took {clock.Elapsed}");
    }

    [Fact]
    public void In_globalization_invariant_mode_the_dialect_says_how_to_turn_it_off_instead_of_the_drivers_refusal()
    {
        Assert.False(SqlServerDialect.InvariantGlobalization); // this test project runs with ICU, as the connect test needs
        var error = Assert.Throws<ConnectException>(() => SqlServerDialect.EnsureDriverCanRun(invariantGlobalization: true));
        Assert.Contains("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false", error.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.Data.SqlClient", error.Message, StringComparison.Ordinal);
        SqlServerDialect.EnsureDriverCanRun(invariantGlobalization: false);
    }

    [Fact]
    public void Metadata_queries_name_the_catalog_views_and_the_columns_the_reader_expects()
    {
        Assert.Contains("FROM INFORMATION_SCHEMA.TABLES", SqlServerDialect.ListTablesSql, StringComparison.Ordinal);
        Assert.Contains("NOT IN ('sys', 'INFORMATION_SCHEMA')", SqlServerDialect.ListTablesSql, StringComparison.Ordinal);
        var describe = SqlServerDialect.DescribeColumnsSql;
        Assert.Contains("FROM INFORMATION_SCHEMA.COLUMNS c", describe, StringComparison.Ordinal);
        Assert.Contains("'IsIdentity'", describe, StringComparison.Ordinal);
        Assert.Contains("CONSTRAINT_TYPE = 'PRIMARY KEY'", describe, StringComparison.Ordinal);
        Assert.Contains("COALESCE(@s, SCHEMA_NAME())", describe, StringComparison.Ordinal);
        // Eight columns, in ColumnDefinition's order: the reader maps them by position.
        var select = describe[..describe.IndexOf("FROM INFORMATION_SCHEMA.COLUMNS", StringComparison.Ordinal)];
        Assert.Equal(7, CountTopLevelCommas(select));
    }

    private static int CountTopLevelCommas(string sql)
    {
        var depth = 0;
        var commas = 0;
        foreach (var c in sql)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) commas++;
        }
        return commas;
    }
}
