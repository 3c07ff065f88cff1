using System.Collections;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>interval, money, network types, xml, timetz, enums, domains, citext, ltree and arrays, as Debezium maps them.</summary>
public sealed class MoreTypeMappingTests
{
    private static async Task<CdcDatabase> CreateAsync(string prefix)
    {
        var db = await CdcDatabase.CreateAsync(prefix);
        var s = db.Name;
        await db.ExecAsync($"CREATE EXTENSION IF NOT EXISTS citext SCHEMA {s}");
        await db.ExecAsync($"CREATE EXTENSION IF NOT EXISTS ltree SCHEMA {s}");
        await db.ExecAsync($"CREATE TYPE {s}.mood AS ENUM ('sad', 'ok', 'happy')");
        await db.ExecAsync($"CREATE DOMAIN {s}.posint AS INT CHECK (VALUE > 0)");
        await db.ExecAsync($"CREATE DOMAIN {s}.price AS NUMERIC(6,2)");
        await db.ExecAsync($"""
            CREATE TABLE {s}.t (id INT PRIMARY KEY, iv INTERVAL, iv2 INTERVAL, m MONEY, m2 MONEY, ip INET, net CIDR, mac MACADDR,
              mac8 MACADDR8, x XML, tz TIMETZ, tz2 TIMETZ, mood {s}.mood, dom {s}.posint, price {s}.price, ia INT[], ta TEXT[],
              na NUMERIC(5,2)[], ea {s}.mood[], ci {s}.citext, lt {s}.ltree, money_array MONEY[])
            """);
        return db;
    }

    private static string Row(int id) => $"""
        ({id}, '1 year 2 mons -3 days 04:05:06.789', '-1 day -00:00:01.5', 1234.5, -3.456, '192.168.0.1/24', '10.0.0.0/8',
         '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', '<a>1</a>', '10:11:12.5+02', '01:00:00-03:30', 'ok', 7, 12.5,
         '{"{"}1,NULL,3{"}"}', ARRAY['a b', 'c"d', NULL, 'NULL'], '{"{"}1.5,2{"}"}', '{"{"}happy,sad{"}"}', 'Hello', 'a.b.c', '{"{"}1{"}"}')
        """;

    private static Struct After(SourceRecord record) => ((Struct)record.Value!).GetStruct("after")!;

    [Fact]
    public async Task More_types_map_as_debezium_in_snapshot_and_stream()
    {
        await using var db = await CreateAsync("cdc_types2");
        await db.ExecAsync($"INSERT INTO {db.Name}.t VALUES {Row(1)}");
        await using var harness = new CdcHarness(db.Props(), new FakeOffsets());
        var snapshot = Assert.Single(await harness.TakeAsync(1));
        await db.ExecAsync($"INSERT INTO {db.Name}.t VALUES {Row(2)}");
        var streamed = Assert.Single(await harness.TakeAsync(1));

        foreach (var after in new[] { After(snapshot), After(streamed) })
        {
            var schema = after.Schema;
            string? Name(string field) => schema.GetField(field)!.Schema.Name;

            Assert.Equal("io.debezium.time.MicroDuration", Name("iv"));
            Assert.Equal(SchemaType.Int64, schema.GetField("iv")!.Schema.Type);
            // ((14 months * 365.25/12 - 3) days * 24 + 4) h ... + 6.789 s, in microseconds.
            Assert.Equal(36_572_706_789_000L, after.GetInt64("iv"));
            Assert.Equal(-86_401_500_000L, after.GetInt64("iv2"));

            Assert.Equal("org.apache.kafka.connect.data.Decimal", Name("m"));
            Assert.Equal("2", schema.GetField("m")!.Schema.Parameters["scale"]);
            Assert.Equal(1234.50m, after.Get("m"));
            Assert.Equal(2, ((decimal)after.Get("m")!).Scale);
            Assert.Equal(-3.46m, after.Get("m2"));

            Assert.Equal("192.168.0.1/24", after.GetString("ip"));
            Assert.Equal("10.0.0.0/8", after.GetString("net"));
            Assert.Equal("08:00:2b:01:02:03", after.GetString("mac"));
            Assert.Equal("08:00:2b:01:02:03:04:05", after.GetString("mac8"));
            Assert.Null(Name("ip"));
            Assert.Equal("io.debezium.data.Xml", Name("x"));
            Assert.Equal("<a>1</a>", after.GetString("x"));

            Assert.Equal("io.debezium.time.ZonedTime", Name("tz"));
            Assert.Equal("08:11:12.5Z", after.GetString("tz"));
            Assert.Equal("04:30:00Z", after.GetString("tz2"));

            Assert.Equal("io.debezium.data.Enum", Name("mood"));
            Assert.Equal("sad,ok,happy", schema.GetField("mood")!.Schema.Parameters["allowed"]);
            Assert.Equal("ok", after.GetString("mood"));

            Assert.Equal(SchemaType.Int32, schema.GetField("dom")!.Schema.Type);
            Assert.Equal(7, after.GetInt32("dom"));
            Assert.Equal("6", schema.GetField("price")!.Schema.Parameters["connect.decimal.precision"]);
            Assert.Equal(12.50m, after.Get("price"));

            var ia = schema.GetField("ia")!.Schema;
            Assert.Equal(SchemaType.Array, ia.Type);
            Assert.True(ia.IsOptional);
            Assert.True(ia.ValueSchema!.IsOptional);
            Assert.Equal(SchemaType.Int32, ia.ValueSchema.Type);
            Assert.Equal([1, null, 3], ((IList)after.Get("ia")!).Cast<object?>());
            Assert.Equal(["a b", "c\"d", null, "NULL"], ((IList)after.Get("ta")!).Cast<object?>());
            Assert.Equal("2", schema.GetField("na")!.Schema.ValueSchema!.Parameters["scale"]);
            Assert.Equal([1.50m, 2.00m], ((IList)after.Get("na")!).Cast<object?>());
            var ea = schema.GetField("ea")!.Schema.ValueSchema!;
            Assert.Equal("io.debezium.data.Enum", ea.Name);
            Assert.False(ea.IsOptional); // as Debezium builds enum array elements
            Assert.Equal(["happy", "sad"], ((IList)after.Get("ea")!).Cast<object?>());

            Assert.Null(Name("ci"));
            Assert.Equal("Hello", after.GetString("ci"));
            Assert.Equal("io.debezium.data.Ltree", Name("lt"));
            Assert.Equal("a.b.c", after.GetString("lt"));

            // Debezium does not map money arrays: the column is left out.
            Assert.Null(schema.GetField("money_array"));
        }
    }

    [Fact]
    public async Task String_modes_give_iso_intervals_and_plain_money()
    {
        await using var db = await CreateAsync("cdc_types3");
        await db.ExecAsync($"INSERT INTO {db.Name}.t VALUES {Row(1)}");
        await using var harness = new CdcHarness(db.Props(("interval.handling.mode", "string"), ("decimal.handling.mode", "string")), new FakeOffsets());
        var after = After(Assert.Single(await harness.TakeAsync(1)));
        Assert.Equal("io.debezium.time.Interval", after.Schema.GetField("iv")!.Schema.Name);
        Assert.Equal("P1Y2M-3DT4H5M6.789S", after.GetString("iv"));
        Assert.Equal("P0Y0M-1DT0H0M-1.5S", after.GetString("iv2"));
        Assert.Equal("1234.50", after.GetString("m"));
        Assert.Equal("-3.46", after.GetString("m2"));
    }
}
