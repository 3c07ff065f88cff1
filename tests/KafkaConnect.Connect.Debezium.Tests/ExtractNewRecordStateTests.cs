using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Debezium.Postgres;
using KafkaConnect.Connect.Debezium.Transforms;
using KafkaConnect.Connect.Runtime.Plugins;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>
/// ExtractNewRecordState on change events shaped by the connector's own table and envelope schemas: each
/// delete/tombstone mode (current and legacy) for c, u, r, d, tombstones and t, add.fields, add.headers, routing.
/// </summary>
public sealed class ExtractNewRecordStateTests
{
    private static readonly TableSchema s_table = new("dbserver1", "inventory", "orders",
        [new ColumnInfo("id", 23, -1, true, 0), new ColumnInfo("name", 25, -1, false, -1), new ColumnInfo("qty", 23, -1, false, -1)],
        new PostgresSettings(new Dictionary<string, string>
        {
            ["database.hostname"] = "localhost",
            ["database.user"] = "postgres",
            ["database.dbname"] = "shop",
            ["topic.prefix"] = "dbserver1",
        }));

    private static readonly object?[] s_row1 = ["1", "apple", "5"];
    private static readonly object?[] s_row1b = ["1", "apple", "7"];

    [Theory]
    [InlineData("c")]
    [InlineData("u")]
    [InlineData("r")]
    public void Creates_updates_and_reads_become_the_after_row_with_the_key_unchanged(string op)
    {
        var record = Event(op, op == "c" || op == "r" ? null : s_row1, s_row1b);
        var result = Apply([], record)!;
        Assert.Equal(s_table.ValueSchema, result.ValueSchema);
        Assert.Equal(s_table.Value(s_row1b), result.Value);
        Assert.Same(record.Key, result.Key);
        Assert.Equal(record.KeySchema, result.KeySchema);
        Assert.Equal(record.Topic, result.Topic);
    }

    [Theory]
    [InlineData("drop", "dropped")]
    [InlineData("tombstone", "null value")]
    [InlineData("rewrite", "rewritten")]
    [InlineData("rewrite-with-tombstone", "rewritten")]
    [InlineData("delete-to-tombstone", "tombstone")]
    [InlineData("TOMBSTONE", "null value")]
    public void Deletes_follow_delete_tombstone_handling_mode(string mode, string expected)
    {
        var record = Event("d", s_row1, null);
        var result = Apply(new() { ["delete.tombstone.handling.mode"] = mode }, record);
        AssertDelete(expected, record, result);
    }

    [Theory]
    [InlineData("drop", false)]
    [InlineData("tombstone", false)]
    [InlineData("rewrite", false)]
    [InlineData("rewrite-with-tombstone", true)]
    [InlineData("delete-to-tombstone", false)]
    public void Tombstones_are_kept_only_by_rewrite_with_tombstone(string mode, bool kept)
    {
        var tombstone = Tombstone();
        var result = Apply(new() { ["delete.tombstone.handling.mode"] = mode }, tombstone);
        if (kept)
        {
            Assert.Same(tombstone, result);
        }
        else
        {
            Assert.Null(result);
        }
    }

    [Theory]
    [InlineData("delete.tombstone.handling.mode", "drop")]
    [InlineData("delete.tombstone.handling.mode", "tombstone")]
    [InlineData("delete.tombstone.handling.mode", "rewrite")]
    [InlineData("delete.tombstone.handling.mode", "rewrite-with-tombstone")]
    [InlineData("delete.tombstone.handling.mode", "delete-to-tombstone")]
    [InlineData("drop.tombstones", "false")]
    [InlineData("delete.handling.mode", "none")]
    public void Truncates_are_dropped_in_every_mode(string key, string mode) =>
        Assert.Null(Apply(new() { [key] = mode }, Event("t", null, null)));

    [Fact]
    public void Rewrite_marks_every_row_with_deleted_as_Debezium_does()
    {
        var transform = Configured(new() { ["delete.tombstone.handling.mode"] = "rewrite" });
        var created = transform.Apply(Event("c", null, s_row1))!;
        var value = Assert.IsType<Struct>(created.Value);
        Assert.Equal("false", value.GetString("__deleted"));
        Assert.Equal(5, value.GetInt32("qty"));
        // The widened schema keeps the row schema's name but, as an InsertField copy, is no longer optional.
        Assert.Equal(s_table.ValueSchema.Name, created.ValueSchema!.Name);
        Assert.False(created.ValueSchema.IsOptional);
        Assert.Equal(["id", "name", "qty", "__deleted"], created.ValueSchema.Fields.Select(f => f.Name));
        Assert.Equal(Schema.OptionalStringSchema, created.ValueSchema.GetField("__deleted")!.Schema);
        var deleted = transform.Apply(Event("d", s_row1, null))!;
        Assert.Same(created.ValueSchema, deleted.ValueSchema);
        Assert.Equal("true", ((Struct)deleted.Value!).GetString("__deleted"));
    }

    [Theory]
    // Older configs: delete.handling.mode (drop by default) and drop.tombstones (true by default).
    [InlineData("drop", "true", "dropped", false)]
    [InlineData("drop", "false", "dropped", true)]
    [InlineData("none", "true", "null value", false)]
    [InlineData("none", "false", "null value", true)]
    [InlineData("rewrite", "true", "rewritten", false)]
    [InlineData("rewrite", "false", "rewritten", true)]
    [InlineData(null, "false", "dropped", true)]
    [InlineData("none", null, "null value", false)]
    public void Legacy_keys_alone_behave_as_they_did_in_Debezium(string? deleteMode, string? dropTombstones, string expected, bool tombstoneKept)
    {
        var config = new Dictionary<string, string>();
        if (deleteMode is not null)
        {
            config["delete.handling.mode"] = deleteMode;
        }
        if (dropTombstones is not null)
        {
            config["drop.tombstones"] = dropTombstones;
        }
        var transform = Configured(config);
        var delete = Event("d", s_row1, null);
        AssertDelete(expected, delete, transform.Apply(delete));
        var tombstone = Tombstone();
        Assert.Equal(tombstoneKept ? tombstone : null, transform.Apply(tombstone));
        if (expected == "rewritten")
        {
            Assert.Equal("false", ((Struct)transform.Apply(Event("u", s_row1, s_row1b))!.Value!).GetString("__deleted"));
        }
    }

    [Fact]
    public void The_current_key_wins_over_the_legacy_ones()
    {
        var transform = Configured(new()
        {
            ["delete.tombstone.handling.mode"] = "tombstone",
            ["delete.handling.mode"] = "rewrite",
            ["drop.tombstones"] = "false",
        });
        var delete = Event("d", s_row1, null);
        AssertDelete("null value", delete, transform.Apply(delete));
        Assert.Null(transform.Apply(Tombstone()));
    }

    [Fact]
    public void Add_fields_appends_envelope_source_and_renamed_fields_and_builds_the_schema_once()
    {
        var transform = Configured(new() { ["add.fields"] = "op,table,lsn,source.ts_ms,ts_ms:EVENT_TS,source.nope,id" });
        var first = transform.Apply(Event("u", s_row1, s_row1b, lsn: 42))!;
        var value = (Struct)first.Value!;
        // source.nope does not exist and transaction (for id) is null: the former is left out, the latter is null.
        Assert.Equal(["id", "name", "qty", "__op", "__table", "__lsn", "__source_ts_ms", "__EVENT_TS", "__id"],
            first.ValueSchema!.Fields.Select(f => f.Name));
        Assert.Equal("u", value.GetString("__op"));
        Assert.Equal("orders", value.GetString("__table"));
        Assert.Equal(42L, value.GetInt64("__lsn"));
        Assert.Equal(1_700_000_000_000L, value.GetInt64("__source_ts_ms"));
        Assert.Equal(1_700_000_000_500L, value.GetInt64("__EVENT_TS"));
        Assert.Null(value.Get("__id"));
        Assert.True(first.ValueSchema.GetField("__op")!.Schema.IsOptional);
        Assert.Equal(7, value.GetInt32("qty"));

        var second = transform.Apply(Event("c", null, s_row1, lsn: 43))!;
        Assert.Same(first.ValueSchema, second.ValueSchema);
        Assert.Equal("c", ((Struct)second.Value!).GetString("__op"));
    }

    [Fact]
    public void Add_fields_follow_a_rewritten_delete_and_use_the_configured_prefix()
    {
        var transform = Configured(new()
        {
            ["delete.tombstone.handling.mode"] = "rewrite",
            ["add.fields"] = "op,source.snapshot",
            ["add.fields.prefix"] = "cdc_",
        });
        var deleted = transform.Apply(Event("d", s_row1, null, snapshot: "true"))!;
        var value = (Struct)deleted.Value!;
        Assert.Equal(["id", "name", "qty", "__deleted", "cdc_op", "cdc_source_snapshot"], deleted.ValueSchema!.Fields.Select(f => f.Name));
        Assert.Equal("d", value.GetString("cdc_op"));
        Assert.Equal("true", value.GetString("cdc_source_snapshot"));
        // The copied field schema keeps its semantic name (Debezium's Enum).
        Assert.Equal(ChangeEventSchemas.EnumName, deleted.ValueSchema.GetField("cdc_source_snapshot")!.Schema.Name);
    }

    [Fact]
    public void Add_headers_adds_envelope_fields_as_headers_and_marks_tombstones_as_deletes()
    {
        var transform = Configured(new()
        {
            ["delete.tombstone.handling.mode"] = "rewrite-with-tombstone",
            ["add.headers"] = "op,source.ts_ms,db:DATABASE",
            ["add.headers.prefix"] = "h_",
        });
        var result = transform.Apply(Event("c", null, s_row1))!;
        Assert.Equal("c", result.Headers.LastWithName("h_op")!.Value);
        Assert.Equal(1_700_000_000_000L, result.Headers.LastWithName("h_source_ts_ms")!.Value);
        Assert.Equal("shop", result.Headers.LastWithName("h_DATABASE")!.Value);
        Assert.Equal("false", ((Struct)result.Value!).GetString("__deleted"));

        var tombstone = transform.Apply(Tombstone())!;
        Assert.Equal("d", tombstone.Headers.LastWithName("h_op")!.Value);
        Assert.Equal(1, tombstone.Headers.Count);
    }

    [Fact]
    public void Route_by_field_takes_the_topic_from_the_row_or_the_deleted_before_image()
    {
        var transform = Configured(new() { ["route.by.field"] = "name", ["delete.tombstone.handling.mode"] = "delete-to-tombstone" });
        Assert.Equal("apple", transform.Apply(Event("c", null, s_row1))!.Topic);
        var delete = transform.Apply(Event("d", s_row1, null))!;
        Assert.Equal("apple", delete.Topic);
        Assert.Null(delete.Value);
        Assert.Equal(s_table.Topic, transform.Apply(Event("c", null, ["2", null, "1"]))!.Topic);
    }

    [Fact]
    public void Records_that_are_not_envelopes_pass_through_untouched()
    {
        var transform = Configured(new() { ["delete.tombstone.handling.mode"] = "rewrite", ["add.fields"] = "op", ["add.headers"] = "op" });
        var plain = new SourceRecord(null, null, "t", null, s_table.KeySchema, s_table.Key(s_row1), s_table.ValueSchema, s_table.Value(s_row1));
        Assert.Same(plain, transform.Apply(plain));
        Assert.Empty(plain.Headers);
        var schemaless = new SourceRecord(null, null, "t", null, null, null, null, new Dictionary<string, object?> { ["op"] = "c" });
        Assert.Same(schemaless, transform.Apply(schemaless));
    }

    [Theory]
    [InlineData("delete.tombstone.handling.mode", "soft", "delete.tombstone.handling.mode")]
    [InlineData("delete.handling.mode", "keep", "delete.handling.mode")]
    [InlineData("drop.tombstones", "maybe", "drop.tombstones")]
    [InlineData("add.fields", "source.ts_ms.x", "source.ts_ms.x")]
    [InlineData("add.headers", "op:a:b", "op:a:b")]
    [InlineData("add.fields", "op:", "op:")]
    public void Bad_configuration_is_a_clear_error(string key, string value, string mentioned)
    {
        var error = Assert.Throws<ConfigException>(() => Configured(new() { [key] = value }));
        Assert.Contains(mentioned, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Debeziums_class_name_resolves_in_the_plugin_registry()
    {
        _ = typeof(ExtractNewRecordState).Assembly;
        var registry = PluginRegistry.Create();
        Assert.True(registry.TryResolve("io.debezium.transforms.ExtractNewRecordState", out var type));
        Assert.Equal(typeof(ExtractNewRecordState), type);
    }

    private static void AssertDelete(string expected, SourceRecord delete, SourceRecord? result)
    {
        switch (expected)
        {
            case "dropped":
                Assert.Null(result);
                break;
            case "null value":
                // What the JDBC sink reads as a delete: the row's value schema, a null value.
                Assert.NotNull(result);
                Assert.Null(result.Value);
                Assert.Equal(s_table.ValueSchema, result.ValueSchema);
                Assert.Same(delete.Key, result.Key);
                break;
            case "tombstone":
                Assert.NotNull(result);
                Assert.Null(result.Value);
                Assert.Null(result.ValueSchema);
                Assert.Same(delete.Key, result.Key);
                break;
            default:
                Assert.NotNull(result);
                var value = Assert.IsType<Struct>(result.Value);
                Assert.Equal("true", value.GetString("__deleted"));
                Assert.Equal("apple", value.GetString("name"));
                Assert.Equal(5, value.GetInt32("qty"));
                Assert.Same(delete.Key, result.Key);
                break;
        }
    }

    private static ExtractNewRecordState Configured(Dictionary<string, string> config)
    {
        var transform = new ExtractNewRecordState();
        transform.Configure(config);
        return transform;
    }

    private static SourceRecord? Apply(Dictionary<string, string> config, SourceRecord record) => Configured(config).Apply(record);

    private static SourceRecord Tombstone() =>
        new(null, null, s_table.Topic, null, s_table.KeySchema, s_table.Key(s_row1), null, null);

    /// <summary>A change event as the connector emits it; a truncate has no key and no rows.</summary>
    private static SourceRecord Event(string op, object?[]? before, object?[]? after, long lsn = 1, string? snapshot = null)
    {
        var source = new Struct(ChangeEventSchemas.Source)
            .Put("version", PostgresConnector.PluginVersion)
            .Put("connector", ChangeEventSchemas.Connector)
            .Put("name", "dbserver1")
            .Put("ts_ms", 1_700_000_000_000L)
            .Put("db", "shop")
            .Put("schema", s_table.SchemaName)
            .Put("table", s_table.TableName)
            .Put("txId", 7L)
            .Put("lsn", lsn);
        if (snapshot is not null)
        {
            source.Put("snapshot", snapshot);
        }
        var envelope = new Struct(s_table.EnvelopeSchema)
            .Put("before", before is null ? null : s_table.Value(before))
            .Put("after", after is null ? null : s_table.Value(after))
            .Put("source", source)
            .Put("op", op)
            .Put("ts_ms", 1_700_000_000_500L);
        var row = after ?? before;
        return new SourceRecord(null, null, s_table.Topic, null, row is null ? null : s_table.KeySchema, row is null ? null : s_table.Key(row),
            s_table.EnvelopeSchema, envelope);
    }
}
