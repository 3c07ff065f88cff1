using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Sink;
using KafkaConnect.Connect.Sinks;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Jdbc.Tests.Sink;

public sealed class JdbcSinkTaskTests
{
    public static TheoryData<string> Databases => ["pg", "maria", "sqlite"];

    private static readonly Schema s_v1 = SchemaBuilder.Struct().Name("row")
        .Field("id", Schema.Int64Schema)
        .Field("name", Schema.OptionalStringSchema)
        .Build();

    private static readonly Schema s_v2 = SchemaBuilder.Struct().Name("row")
        .Field("id", Schema.Int64Schema)
        .Field("name", Schema.OptionalStringSchema)
        .Field("score", Schema.OptionalFloat64Schema)
        .Build();

    private static SinkRecord Rec(string topic, Schema schema, long offset, params (string F, object? V)[] values)
    {
        var s = new Struct(schema);
        foreach (var (f, v) in values)
        {
            s.Put(f, v);
        }
        return new SinkRecord(topic, 0, null, null, schema, s, offset);
    }

    private static JdbcSinkTask Start(Dictionary<string, string> props)
    {
        var task = new JdbcSinkTask();
        task.Start(props);
        return task;
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void AutoCreate_Evolve_AndUpsertTwice(string kind)
    {
        using var db = new SinkTestDb(kind);
        var task = Start(db.Props(("topics", db.Table), ("auto.create", "true"), ("auto.evolve", "true"),
            ("insert.mode", "upsert"), ("pk.mode", "record_value"), ("pk.fields", "id")));
        task.Put([Rec(db.Table, s_v1, 0, ("id", 1L), ("name", "a")), Rec(db.Table, s_v1, 1, ("id", 2L), ("name", "b"))]);
        // Redelivery plus a change, and a duplicate key inside one batch.
        task.Put([Rec(db.Table, s_v1, 0, ("id", 1L), ("name", "a")), Rec(db.Table, s_v1, 1, ("id", 2L), ("name", "b2")),
            Rec(db.Table, s_v1, 2, ("id", 2L), ("name", "b3"))]);
        Assert.Equal(2, db.Count(db.Table));
        Assert.Equal("b3", db.Rows($"SELECT {db.Q("name")} FROM {db.Q(db.Table)} WHERE {db.Q("id")} = 2")[0][0]);
        // A new optional field → ALTER TABLE ADD.
        task.Put([Rec(db.Table, s_v2, 3, ("id", 3L), ("name", "c"), ("score", 1.5))]);
        Assert.Equal(1.5, Convert.ToDouble(db.Rows($"SELECT {db.Q("score")} FROM {db.Q(db.Table)} WHERE {db.Q("id")} = 3")[0][0]));
        Assert.Null(db.Rows($"SELECT {db.Q("score")} FROM {db.Q(db.Table)} WHERE {db.Q("id")} = 1")[0][0]);
        task.Stop();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void Evolve_RequiredFieldWithoutDefault_IsAClearError(string kind)
    {
        using var db = new SinkTestDb(kind);
        var task = Start(db.Props(("auto.create", "true"), ("auto.evolve", "true")));
        task.Put([Rec(db.Table, s_v1, 0, ("id", 1L), ("name", "a"))]);
        var v3 = SchemaBuilder.Struct().Name("row").Field("id", Schema.Int64Schema).Field("name", Schema.OptionalStringSchema)
            .Field("must", Schema.Int32Schema).Build();
        var e = Assert.ThrowsAny<ConnectException>(() => task.Put([Rec(db.Table, v3, 1, ("id", 2L), ("must", 5))]));
        Assert.Contains("must", e.Message, StringComparison.Ordinal);
        Assert.Contains("not optional", e.Message, StringComparison.Ordinal);
        task.Stop();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void UpdateMode_UpdatesExistingRowsOnly(string kind)
    {
        using var db = new SinkTestDb(kind);
        var create = Start(db.Props(("auto.create", "true"), ("pk.mode", "record_value"), ("pk.fields", "id"), ("insert.mode", "upsert")));
        create.Put([Rec(db.Table, s_v1, 0, ("id", 1L), ("name", "a"))]);
        create.Stop();
        var task = Start(db.Props(("insert.mode", "update"), ("pk.mode", "record_value"), ("pk.fields", "id")));
        task.Put([Rec(db.Table, s_v1, 1, ("id", 1L), ("name", "z")), Rec(db.Table, s_v1, 2, ("id", 9L), ("name", "nope"))]);
        var rows = db.Rows($"SELECT {db.Q("id")}, {db.Q("name")} FROM {db.Q(db.Table)}");
        Assert.Single(rows);
        Assert.Equal("z", rows[0][1]);
        task.Stop();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void UpdateMode_ManyRows_BatchedInOrder(string kind)
    {
        using var db = new SinkTestDb(kind);
        var create = Start(db.Props(("auto.create", "true"), ("pk.mode", "record_value"), ("pk.fields", "id")));
        var initial = new List<SinkRecord>();
        for (var i = 0; i < 2500; i++)
        {
            initial.Add(Rec(db.Table, s_v1, i, ("id", (long)i), ("name", "old")));
        }
        create.Put(initial);
        create.Stop();
        // More rows than one statement chunk (batch.size 1000), missing keys, and a key updated twice (last wins).
        var task = Start(db.Props(("insert.mode", "update"), ("pk.mode", "record_value"), ("pk.fields", "id"), ("batch.size", "1000")));
        var updates = new List<SinkRecord>();
        for (var i = 0; i < 3000; i += 2)
        {
            updates.Add(Rec(db.Table, s_v1, i, ("id", (long)i), ("name", "new" + i)));
        }
        updates.Add(Rec(db.Table, s_v1, 5000, ("id", 10L), ("name", "last")));
        task.Put(updates);
        task.Stop();
        Assert.Equal(2500, db.Count(db.Table));
        var rows = db.Rows($"SELECT {db.Q("id")}, {db.Q("name")} FROM {db.Q(db.Table)} ORDER BY {db.Q("id")}");
        Assert.Equal("new0", rows[0][1]);
        Assert.Equal("old", rows[1][1]);
        Assert.Equal("last", rows[10][1]);
        Assert.Equal("new2498", rows[2498][1]);
        Assert.Equal("old", rows[2499][1]);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void Tombstone_DeletesByRecordKey(string kind)
    {
        using var db = new SinkTestDb(kind);
        var keySchema = SchemaBuilder.Struct().Name("key").Field("id", Schema.Int64Schema).Build();
        var valueSchema = SchemaBuilder.Struct().Name("val").Field("name", Schema.OptionalStringSchema).Build();
        SinkRecord Upsert(long id, string name, long offset)
        {
            var k = new Struct(keySchema).Put("id", id);
            return new SinkRecord(db.Table, 0, keySchema, k, valueSchema, new Struct(valueSchema).Put("name", name), offset);
        }
        var task = Start(db.Props(("auto.create", "true"), ("insert.mode", "upsert"), ("pk.mode", "record_key"), ("delete.enabled", "true")));
        task.Put([Upsert(1, "a", 0), Upsert(2, "b", 1), Upsert(3, "c", 2)]);
        task.Put([new SinkRecord(db.Table, 0, keySchema, new Struct(keySchema).Put("id", 2L), null, null, 3), Upsert(4, "d", 4)]);
        var ids = db.Rows($"SELECT {db.Q("id")} FROM {db.Q(db.Table)} ORDER BY {db.Q("id")}").ConvertAll(r => Convert.ToInt64(r[0]));
        Assert.Equal([1L, 3L, 4L], ids);
        task.Stop();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void UpsertsAroundADelete_InOnePut_AndAcrossPuts(string kind)
    {
        using var db = new SinkTestDb(kind);
        var keySchema = SchemaBuilder.Struct().Name("key").Field("id", Schema.Int64Schema).Build();
        var valueSchema = SchemaBuilder.Struct().Name("val").Field("name", Schema.OptionalStringSchema).Build();
        SinkRecord R(long id, string? name, long offset) => new(db.Table, 0, keySchema, new Struct(keySchema).Put("id", id),
            name is null ? null : valueSchema, name is null ? null : new Struct(valueSchema).Put("name", name), offset);
        var task = Start(db.Props(("auto.create", "true"), ("insert.mode", "upsert"), ("pk.mode", "record_key"), ("delete.enabled", "true")));
        // Upsert, delete, upsert again for the same table in one transaction (PostgreSQL reuses its staging table).
        task.Put([R(1, "a", 0), R(2, "b", 1), R(2, null, 2), R(3, "c", 3), R(1, "a2", 4)]);
        task.Put([R(3, "c2", 5), R(4, "d", 6)]);
        var rows = db.Rows($"SELECT {db.Q("id")}, {db.Q("name")} FROM {db.Q(db.Table)} ORDER BY {db.Q("id")}");
        Assert.Equal(["1:a2", "3:c2", "4:d"], rows.ConvertAll(r => $"{Convert.ToInt64(r[0])}:{r[1]}"));
        task.Stop();
    }

    [Fact]
    public void DeleteEnabled_RequiresRecordKey()
    {
        Assert.Throws<ConfigException>(() => new JdbcSinkConfig(new Dictionary<string, string>
        {
            ["connection.url"] = "jdbc:sqlite::memory:", ["delete.enabled"] = "true", ["pk.mode"] = "record_value",
        }));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void KafkaPkMode_WhitelistAndTableMapping(string kind)
    {
        using var db = new SinkTestDb(kind);
        var mapped = db.NewTable();
        var task = Start(db.Props(("auto.create", "true"), ("pk.mode", "kafka"), ("fields.whitelist", "name"),
            ("topic.table.mapping", $"orders:{mapped}"), ("table.name.format", "x_${topic}")));
        task.Put([new SinkRecord("orders", 2, null, null, s_v1, new Struct(s_v1).Put("id", 7L).Put("name", "n"), 42)]);
        var rows = db.Rows($"SELECT {db.Q("__connect_topic")}, {db.Q("__connect_partition")}, {db.Q("__connect_offset")}, {db.Q("name")} FROM {db.Q(mapped)}");
        Assert.Single(rows);
        Assert.Equal("orders", rows[0][0]);
        Assert.Equal(2L, Convert.ToInt64(rows[0][1]));
        Assert.Equal(42L, Convert.ToInt64(rows[0][2]));
        Assert.Equal("n", rows[0][3]);
        // "id" was not whitelisted.
        Assert.Equal(4, db.Rows($"SELECT * FROM {db.Q(mapped)}")[0].Length);
        task.Stop();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void TableNameFormat_AndPrimitiveRecordKey(string kind)
    {
        using var db = new SinkTestDb(kind);
        var table = db.NewTable();
        var topic = table["sink_".Length..];
        var task = Start(db.Props(("auto.create", "true"), ("pk.mode", "record_key"), ("pk.fields", "k"), ("table.name.format", "sink_${topic}"), ("insert.mode", "upsert")));
        task.Put([new SinkRecord(topic, 0, Schema.StringSchema, "key1", s_v1, new Struct(s_v1).Put("id", 1L), 0)]);
        task.Put([new SinkRecord(topic, 0, Schema.StringSchema, "key1", s_v1, new Struct(s_v1).Put("id", 2L), 1)]);
        var rows = db.Rows($"SELECT {db.Q("k")}, {db.Q("id")} FROM {db.Q(table)}");
        Assert.Single(rows);
        Assert.Equal("key1", rows[0][0]);
        Assert.Equal(2L, Convert.ToInt64(rows[0][1]));
        task.Stop();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task TypeMapping_RoundTrips(string kind)
    {
        using var db = new SinkTestDb(kind);
        var schema = SchemaBuilder.Struct().Name("types")
            .Field("id", Schema.Int32Schema)
            .Field("i8", Schema.Int8Schema).Field("i16", Schema.Int16Schema).Field("i64", Schema.Int64Schema)
            .Field("f32", Schema.Float32Schema).Field("f64", Schema.Float64Schema).Field("b", Schema.BooleanSchema)
            .Field("s", Schema.StringSchema).Field("bytes", Schema.BytesSchema)
            .Field("dec", ConnectDecimal.Schema(2)).Field("d", Date.Schema).Field("t", Time.Schema).Field("ts", Timestamp.Schema)
            .Field("opt", Schema.OptionalStringSchema)
            .Build();
        var ts = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);
        var value = new Struct(schema).Put("id", 1).Put("i8", (sbyte)-5).Put("i16", (short)300).Put("i64", long.MaxValue)
            .Put("f32", 1.5f).Put("f64", 2.25).Put("b", true).Put("s", "héllo 'q'").Put("bytes", new byte[] { 1, 2, 255 })
            .Put("dec", 12345.67m).Put("d", new DateOnly(2022, 4, 27)).Put("t", new TimeOnly(13, 14, 15, 500)).Put("ts", ts);
        foreach (var mode in new[] { "insert", "upsert" })
        {
            var table = db.NewTable();
            var task = Start(db.Props(("auto.create", "true"), ("insert.mode", mode), ("pk.mode", "record_value"), ("pk.fields", "id"),
                ("table.name.format", table)));
            task.Put([new SinkRecord("types", 0, null, null, schema, value, 0)]);
            task.Stop();

            // Read back through the dialect the source uses: every column maps back to the same Connect value.
            using var c = db.Open();
            var dialect = db.Parsed.Dialect;
            var columns = await dialect.DescribeColumnsAsync(c, new KafkaConnect.Connect.Jdbc.Dialects.TableId(table), default);
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT * FROM {db.Q(table)}";
            using var r = cmd.ExecuteReader();
            Assert.True(r.Read());
            var read = new Dictionary<string, object?>();
            for (var i = 0; i < columns.Count; i++)
            {
                read[columns[i].Name] = dialect.ReadColumn(r, i, columns[i], KafkaConnect.Connect.Jdbc.Dialects.NumericMapping.None, TimeZoneInfo.Utc);
            }
            Assert.Equal(-5L, Convert.ToInt64(read["i8"]));
            Assert.Equal(300L, Convert.ToInt64(read["i16"]));
            Assert.Equal(long.MaxValue, Convert.ToInt64(read["i64"]));
            Assert.Equal(1.5, Convert.ToDouble(read["f32"]));
            Assert.Equal(2.25, Convert.ToDouble(read["f64"]));
            Assert.True(Convert.ToBoolean(read["b"]));
            Assert.Equal("héllo 'q'", read["s"]);
            Assert.Equal(new byte[] { 1, 2, 255 }, read["bytes"]);
            Assert.Equal(12345.67m, read["dec"]);
            Assert.Equal(new DateOnly(2022, 4, 27), read["d"]);
            Assert.Equal(new TimeOnly(13, 14, 15, 500), read["t"]);
            Assert.Equal(ts, read["ts"]);
            Assert.Null(read["opt"]);
        }
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void Outage_IsRetriable_ThenNothingLost(string kind)
    {
        if (kind == "sqlite")
        {
            return; // no server to lose
        }
        using var db = new SinkTestDb(kind, ownDatabase: true);
        var good = db.Props(("auto.create", "true"), ("insert.mode", "upsert"), ("pk.mode", "record_value"), ("pk.fields", "id"), ("table.name.format", db.Table));
        var bad = new Dictionary<string, string>(good)
        {
            ["connection.url"] = db.Url.Replace(kind == "pg" ? "55432" : "53306", "1", StringComparison.Ordinal),
        };
        var records = new List<SinkRecord>();
        for (var i = 0; i < 50; i++)
        {
            records.Add(Rec("t", s_v1, i, ("id", (long)i), ("name", "n" + i)));
        }
        var down = Start(bad);
        Assert.Throws<RetriableException>(() => down.Put(records));
        down.Stop();
        var task = Start(good);
        task.Put(records[..20]);
        // Kill the connection server-side mid-stream: the next Put fails retriably, the retry succeeds.
        if (kind == "pg")
        {
            db.Exec($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db.Database}' AND pid <> pg_backend_pid()");
        }
        else
        {
            foreach (var row in db.Rows($"SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '{db.Database}' AND ID <> CONNECTION_ID() AND COMMAND = 'Sleep'"))
            {
                try
                {
                    db.Exec("KILL " + Convert.ToInt64(row[0]));
                }
                catch (System.Data.Common.DbException)
                {
                }
            }
        }
        try
        {
            task.Put(records);
        }
        catch (RetriableException)
        {
            task.Put(records);
        }
        Assert.Equal(50, db.Count(db.Table));
        task.Stop();
    }
}
