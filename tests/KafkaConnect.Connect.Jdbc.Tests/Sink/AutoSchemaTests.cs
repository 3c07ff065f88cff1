using System.Globalization;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Dialects;
using KafkaConnect.Connect.Jdbc.Sink;
using KafkaConnect.Connect.Sinks;

namespace KafkaConnect.Connect.Jdbc.Tests.Sink;

/// <summary>auto.schema=true: schemaless maps (as JsonConverter with schemas.enable=false yields) read against the table.</summary>
public sealed class AutoSchemaTests
{
    public static TheoryData<string> Databases => ["pg", "maria", "sqlite"];

    private static string TimestampType(string kind) => kind == "pg" ? "TIMESTAMP" : kind == "maria" ? "DATETIME(3)" : "DATETIME";

    /// <summary>id key, a nullable string, a NOT NULL column with a default, decimal, date, timestamp, boolean.</summary>
    internal static void CreateTable(SinkTestDb db, string table)
    {
        var q = db.Q;
        db.Exec($"CREATE TABLE {q(table)} ({q("id")} INT NOT NULL PRIMARY KEY, {q("name")} VARCHAR(50) NULL, "
            + $"{q("qty")} INT NOT NULL DEFAULT 7, {q("price")} DECIMAL(10,2) NULL, {q("d")} DATE NULL, "
            + $"{q("ts")} {TimestampType(db.Kind)} NULL, {q("flag")} BOOLEAN NULL)");
    }

    private static Dictionary<object, object?> Map(params (string K, object? V)[] entries)
    {
        var m = new Dictionary<object, object?>();
        foreach (var (k, v) in entries)
        {
            m[k] = v;
        }
        return m;
    }

    private static SinkRecord Rec(string topic, object value, long offset) => new(topic, 0, null, null, null, value, offset);

    /// <summary>Every row as column name → Connect value, read through the dialect the source uses.</summary>
    internal static async Task<List<Dictionary<string, object?>>> ReadAll(SinkTestDb db, string table, string orderBy)
    {
        using var c = db.Open();
        var dialect = db.Parsed.Dialect;
        var columns = await dialect.DescribeColumnsAsync(c, new TableId(table), default);
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT * FROM {db.Q(table)} ORDER BY {db.Q(orderBy)}";
        using var r = cmd.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (r.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < columns.Count; i++)
            {
                row[columns[i].Name] = dialect.ReadColumn(r, i, columns[i], NumericMapping.None, TimeZoneInfo.Utc);
            }
            rows.Add(row);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Maps_FillExistingTable_WithDefaultsAndDateForms(string kind)
    {
        using var db = new SinkTestDb(kind);
        CreateTable(db, db.Table);
        var task = new JdbcSinkTask();
        task.Start(db.Props(("auto.schema", "true"), ("topics", db.Table)));
        var ts = new DateTimeOffset(2022, 4, 27, 9, 31, 46, TimeSpan.Zero);
        task.Put([
            // Everything, date as days since epoch and timestamp as epoch millis (JSON integers arrive as long).
            Rec(db.Table, Map(("id", 1L), ("name", "full"), ("qty", 3L), ("price", 12.5), ("d", 19109L), ("ts", ts.ToUnixTimeMilliseconds()), ("flag", true)), 0),
            // Strings for the date and the timestamp; qty and flag missing → default / NULL.
            Rec(db.Table, Map(("id", 2L), ("name", "strings"), ("d", "2022-04-27"), ("ts", "2022-04-27 09:31:46")), 1),
            // Only the key; an unknown field is ignored; a date-only timestamp string.
            Rec(db.Table, Map(("id", 3L), ("unknown", "x"), ("ts", "2022-04-27")), 2),
            // Explicit null for a nullable column, a decimal as a string.
            Rec(db.Table, Map(("id", 4L), ("name", null), ("price", "0.10")), 3),
        ]);
        task.Stop();

        var rows = await ReadAll(db, db.Table, "id");
        Assert.Equal(4, rows.Count);
        Assert.Equal("full", rows[0]["name"]);
        Assert.Equal(3, Convert.ToInt32(rows[0]["qty"], CultureInfo.InvariantCulture));
        Assert.Equal(12.50m, rows[0]["price"]);
        Assert.Equal(new DateOnly(2022, 4, 27), rows[0]["d"]);
        Assert.Equal(ts, rows[0]["ts"]);
        Assert.True(Convert.ToBoolean(rows[0]["flag"], CultureInfo.InvariantCulture));

        Assert.Equal(7, Convert.ToInt32(rows[1]["qty"], CultureInfo.InvariantCulture));
        Assert.Equal(new DateOnly(2022, 4, 27), rows[1]["d"]);
        Assert.Equal(ts, rows[1]["ts"]);
        Assert.Null(rows[1]["flag"]);
        Assert.Null(rows[1]["price"]);

        Assert.Null(rows[2]["name"]);
        Assert.Equal(7, Convert.ToInt32(rows[2]["qty"], CultureInfo.InvariantCulture));
        Assert.Equal(new DateTimeOffset(2022, 4, 27, 0, 0, 0, TimeSpan.Zero), rows[2]["ts"]);

        Assert.Null(rows[3]["name"]);
        Assert.Equal(0.10m, rows[3]["price"]);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Upsert_WithTablePrimaryKey(string kind)
    {
        using var db = new SinkTestDb(kind);
        CreateTable(db, db.Table);
        var task = new JdbcSinkTask();
        task.Start(db.Props(("auto.schema", "true"), ("insert.mode", "upsert")));
        task.Put([Rec(db.Table, Map(("id", 1L), ("name", "a")), 0), Rec(db.Table, Map(("id", 2L), ("name", "b")), 1)]);
        task.Put([Rec(db.Table, Map(("id", 1L), ("name", "a2"), ("qty", 9L)), 2)]);
        task.Stop();
        var rows = await ReadAll(db, db.Table, "id");
        Assert.Equal(2, rows.Count);
        Assert.Equal("a2", rows[0]["name"]);
        Assert.Equal(9, Convert.ToInt32(rows[0]["qty"], CultureInfo.InvariantCulture));
        Assert.Equal("b", rows[1]["name"]);
    }

    public static TheoryData<string, string, object?> Misfits
    {
        get
        {
            var data = new TheoryData<string, string, object?>();
            foreach (var kind in new[] { "pg", "maria", "sqlite" })
            {
                data.Add(kind, "d", "27/04/2022");
                data.Add(kind, "ts", "yesterday");
                data.Add(kind, "qty", "many");
                data.Add(kind, "qty", 1.5);
                data.Add(kind, "flag", 2.5);
                data.Add(kind, "id", null);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Misfits))]
    public void RecordThatDoesNotFit_IsDataExceptionNamingTheColumn(string kind, string column, object? value)
    {
        using var db = new SinkTestDb(kind);
        CreateTable(db, db.Table);
        var task = new JdbcSinkTask();
        task.Start(db.Props(("auto.schema", "true")));
        var map = Map(("id", 1L));
        map[column] = value;
        var e = Assert.Throws<DataException>(() => task.Put([Rec(db.Table, map, 0)]));
        Assert.Contains($"'{column}'", e.Message, StringComparison.Ordinal);
        // The batch wrote nothing, and the task keeps working for records that fit.
        Assert.Equal(0, db.Count(db.Table));
        task.Put([Rec(db.Table, Map(("id", 5L)), 1)]);
        Assert.Equal(1, db.Count(db.Table));
        task.Stop();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void MissingNotNullColumnWithoutDefault_IsDataException(string kind)
    {
        using var db = new SinkTestDb(kind);
        CreateTable(db, db.Table);
        var task = new JdbcSinkTask();
        task.Start(db.Props(("auto.schema", "true")));
        var e = Assert.Throws<DataException>(() => task.Put([Rec(db.Table, Map(("name", "no id")), 0)]));
        Assert.Contains("'id'", e.Message, StringComparison.Ordinal);
        task.Stop();
    }

    [Fact]
    public void MissingTable_IsAClearError()
    {
        using var db = new SinkTestDb("sqlite");
        var task = new JdbcSinkTask();
        task.Start(db.Props(("auto.schema", "true")));
        var e = Assert.ThrowsAny<ConnectException>(() => task.Put([Rec(db.Table, Map(("id", 1L)), 0)]));
        Assert.Contains("auto.schema", e.Message, StringComparison.Ordinal);
        task.Stop();
    }
}
