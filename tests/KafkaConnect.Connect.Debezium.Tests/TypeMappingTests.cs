using System.Numerics;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>PostgreSQL types to Debezium's field schemas and values, the same from the snapshot and from the stream.</summary>
public sealed class TypeMappingTests
{
    private const string Columns = """
        id INT PRIMARY KEY, i2 SMALLINT, i8 BIGINT, f4 REAL, f8 DOUBLE PRECISION, flag BOOLEAN, txt TEXT, vc VARCHAR(20),
        ch CHAR(3), fixed NUMERIC(10,2), anynum NUMERIC, d DATE, ts TIMESTAMP, ts3 TIMESTAMP(3), tstz TIMESTAMPTZ,
        tstz0 TIMESTAMPTZ(0), t TIME, t3 TIME(3), js JSON, jsb JSONB, u UUID, b BYTEA
        """;

    private const string Values = """
        (1, 5, 9000000000, 1.5, 2.25, true, 'text', 'varchar', 'ab', 12.5, 123.4500, '2024-02-29',
         '2024-02-29 10:11:12.123456', '2024-02-29 10:11:12.123', '2024-02-29 10:11:12.5+02', '2024-02-29 10:11:12+00',
         '10:11:12.5', '10:11:12.25', '{"a": 1}', '{"a": 1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\x0102ff')
        """;

    private static readonly long s_micros = (new DateTime(2024, 2, 29, 10, 11, 12, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / 10;

    [Fact]
    public async Task Common_types_map_as_debezium_in_snapshot_and_stream()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_types");
        var t = db.Name + ".types";
        await db.ExecAsync($"CREATE TABLE {t} ({Columns})");
        await db.ExecAsync($"INSERT INTO {t} VALUES {Values}");
        await using var harness = new CdcHarness(db.Props(), new FakeOffsets());
        var snapshot = Assert.Single(await harness.TakeAsync(1));
        await db.ExecAsync($"INSERT INTO {t} VALUES {Values.Replace("(1,", "(2,", StringComparison.Ordinal)}");
        var streamed = Assert.Single(await harness.TakeAsync(1));

        foreach (var record in new[] { snapshot, streamed })
        {
            var after = ((Struct)record.Value!).GetStruct("after")!;
            var schema = after.Schema;
            Assert.Equal((short)5, after.GetInt16("i2"));
            Assert.Equal(9_000_000_000L, after.GetInt64("i8"));
            Assert.Equal(1.5f, after.GetFloat32("f4"));
            Assert.Equal(2.25d, after.GetFloat64("f8"));
            Assert.Equal(true, after.GetBoolean("flag"));
            Assert.Equal("text", after.GetString("txt"));
            Assert.Equal("varchar", after.GetString("vc"));
            Assert.Equal("ab ", after.GetString("ch"));

            Assert.Equal("org.apache.kafka.connect.data.Decimal", schema.GetField("fixed")!.Schema.Name);
            Assert.Equal(["scale=2", "connect.decimal.precision=10"], schema.GetField("fixed")!.Schema.Parameters.Select(p => p.Key + "=" + p.Value));
            Assert.Equal(12.50m, after.Get("fixed"));
            Assert.Equal(2, ((decimal)after.Get("fixed")!).Scale);

            var variable = after.GetStruct("anynum")!;
            Assert.Equal("io.debezium.data.VariableScaleDecimal", variable.Schema.Name);
            Assert.Equal(4, variable.GetInt32("scale"));
            Assert.Equal(new BigInteger(1_234_500), new BigInteger(variable.GetBytes("value"), isUnsigned: false, isBigEndian: true));

            Assert.Equal("io.debezium.time.Date", schema.GetField("d")!.Schema.Name);
            Assert.Equal(new DateOnly(2024, 2, 29).DayNumber - new DateOnly(1970, 1, 1).DayNumber, after.GetInt32("d"));
            Assert.Equal("io.debezium.time.MicroTimestamp", schema.GetField("ts")!.Schema.Name);
            Assert.Equal(s_micros + 123_456, after.GetInt64("ts"));
            Assert.Equal("io.debezium.time.Timestamp", schema.GetField("ts3")!.Schema.Name);
            Assert.Equal((s_micros / 1000) + 123, after.GetInt64("ts3"));
            Assert.Equal("io.debezium.time.ZonedTimestamp", schema.GetField("tstz")!.Schema.Name);
            Assert.Equal("2024-02-29T08:11:12.500000Z", after.GetString("tstz"));
            Assert.Equal("2024-02-29T10:11:12Z", after.GetString("tstz0"));
            Assert.Equal("io.debezium.time.MicroTime", schema.GetField("t")!.Schema.Name);
            Assert.Equal(36_672_500_000L, after.GetInt64("t"));
            Assert.Equal("io.debezium.time.Time", schema.GetField("t3")!.Schema.Name);
            Assert.Equal(36_672_250, after.GetInt32("t3"));

            Assert.Equal("io.debezium.data.Json", schema.GetField("js")!.Schema.Name);
            Assert.Equal("""{"a": 1}""", after.GetString("js"));
            Assert.Equal("""{"a": 1}""", after.GetString("jsb"));
            Assert.Equal("io.debezium.data.Uuid", schema.GetField("u")!.Schema.Name);
            Assert.Equal("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", after.GetString("u"));
            Assert.Equal(new byte[] { 1, 2, 0xff }, after.GetBytes("b"));
            Assert.All(schema.Fields.Where(f => f.Name != "id"), f => Assert.True(f.Schema.IsOptional, f.Name));
        }
    }

    [Fact]
    public async Task Decimal_and_time_modes_change_the_representation()
    {
        await using var db = await CdcDatabase.CreateAsync("cdc_modes");
        var t = db.Name + ".m";
        await db.ExecAsync($"CREATE TABLE {t} (id INT PRIMARY KEY, fixed NUMERIC(10,2), anynum NUMERIC, d DATE, ts TIMESTAMP, t TIME)");
        await db.ExecAsync($"INSERT INTO {t} VALUES (1, 12.5, 123.4500, '2024-02-29', '2024-02-29 10:11:12.123456', '10:11:12.5')");

        var asDouble = await SnapshotAfterAsync(db, ("decimal.handling.mode", "double"), ("time.precision.mode", "connect"));
        Assert.Equal(12.5d, asDouble.GetFloat64("fixed"));
        Assert.Equal(123.45d, asDouble.GetFloat64("anynum"));
        Assert.Equal(new DateOnly(2024, 2, 29), asDouble.Get("d"));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 10, 11, 12, 123, TimeSpan.Zero).AddTicks(4560), asDouble.Get("ts"));
        Assert.Equal("org.apache.kafka.connect.data.Timestamp", asDouble.Schema.GetField("ts")!.Schema.Name);
        Assert.Equal(new TimeOnly(10, 11, 12, 500), asDouble.Get("t"));

        await db.ExecAsync($"SELECT pg_drop_replication_slot('{db.Name}')");
        var asString = await SnapshotAfterAsync(db, ("decimal.handling.mode", "string"), ("time.precision.mode", "adaptive_time_microseconds"));
        Assert.Equal("12.50", asString.GetString("fixed"));
        Assert.Equal("123.4500", asString.GetString("anynum"));
        Assert.Equal("io.debezium.time.MicroTime", asString.Schema.GetField("t")!.Schema.Name);
    }

    private static async Task<Struct> SnapshotAfterAsync(CdcDatabase db, params (string, string)[] settings)
    {
        await using var harness = new CdcHarness(db.Props(settings), new FakeOffsets());
        SourceRecord record = Assert.Single(await harness.TakeAsync(1));
        return ((Struct)record.Value!).GetStruct("after")!;
    }
}
