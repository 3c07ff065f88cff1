using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>
/// The parts of Debezium's change-event format every table shares: the <c>source</c> block of the PostgreSQL connector,
/// the <c>transaction</c> block and the envelope's field order, with Debezium's schema names and versions so converters
/// produce the bytes Debezium's consumers parse.
/// </summary>
internal static class ChangeEventSchemas
{
    public const string Connector = "postgresql";
    public const string SourceName = "io.debezium.connector.postgresql.Source";
    public const string EnumName = "io.debezium.data.Enum";

    /// <summary>Debezium's envelope schema version (Envelope.SCHEMA_VERSION in Debezium 3).</summary>
    public const int EnvelopeVersion = 2;

    /// <summary>The values of <c>source.snapshot</c>, in Debezium's order (its SnapshotRecord enum, lower-cased).</summary>
    public const string SnapshotValues = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental";

    /// <summary><c>source</c>: the common block, then the PostgreSQL fields.</summary>
    public static readonly Schema Source = SchemaBuilder.Struct().Name(SourceName).Version(1)
        .Field("version", Schema.StringSchema)
        .Field("connector", Schema.StringSchema)
        .Field("name", Schema.StringSchema)
        .Field("ts_ms", Schema.Int64Schema)
        .Field("snapshot", SchemaBuilder.String().Name(EnumName).Version(1).Parameter("allowed", SnapshotValues)
            .DefaultValue("false").Optional().Build())
        .Field("db", Schema.StringSchema)
        .Field("sequence", Schema.OptionalStringSchema)
        .Field("ts_us", Schema.OptionalInt64Schema)
        .Field("ts_ns", Schema.OptionalInt64Schema)
        .Field("schema", Schema.StringSchema)
        .Field("table", Schema.StringSchema)
        .Field("txId", Schema.OptionalInt64Schema)
        .Field("lsn", Schema.OptionalInt64Schema)
        .Field("xmin", Schema.OptionalInt64Schema)
        .Field("origin", Schema.OptionalStringSchema)
        .Field("origin_lsn", Schema.OptionalInt64Schema)
        .Build();

    /// <summary><c>transaction</c>: set on streamed events when provide.transaction.metadata=true, otherwise null.</summary>
    public static readonly Schema TransactionBlock = SchemaBuilder.Struct().Optional().Name("event.block").Version(1)
        .Field("id", Schema.StringSchema)
        .Field("total_order", Schema.Int64Schema)
        .Field("data_collection_order", Schema.Int64Schema)
        .Build();

    /// <summary>The key of BEGIN and END records: the transaction id.</summary>
    public static readonly Schema TransactionKey = SchemaBuilder.Struct().Name("io.debezium.connector.common.TransactionMetadataKey").Version(1)
        .Field("id", Schema.StringSchema)
        .Build();

    /// <summary>One table's event count in an END record.</summary>
    public static readonly Schema EventCollection = SchemaBuilder.Struct().Optional().Name("event.collection").Version(1)
        .Field("data_collection", Schema.StringSchema)
        .Field("event_count", Schema.Int64Schema)
        .Build();

    /// <summary>The value of BEGIN and END records; event_count and data_collections are set on END only.</summary>
    public static readonly Schema TransactionValue = SchemaBuilder.Struct().Name("io.debezium.connector.common.TransactionMetadataValue").Version(1)
        .Field("status", Schema.StringSchema)
        .Field("id", Schema.StringSchema)
        .Field("event_count", Schema.OptionalInt64Schema)
        .Field("data_collections", SchemaBuilder.Array(EventCollection).Optional().Build())
        .Field("ts_ms", Schema.Int64Schema)
        .Build();

    /// <summary>The key of heartbeat records: the server name (topic.prefix).</summary>
    public static readonly Schema HeartbeatKey = SchemaBuilder.Struct().Name("io.debezium.connector.common.ServerNameKey").Version(1)
        .Field("serverName", Schema.StringSchema)
        .Build();

    /// <summary>The value of heartbeat records: when it was sent.</summary>
    public static readonly Schema HeartbeatValue = SchemaBuilder.Struct().Name("io.debezium.connector.common.Heartbeat").Version(1)
        .Field("ts_ms", Schema.Int64Schema)
        .Build();

    /// <summary>The envelope of one table: before/after (the table's optional value schema), source, transaction, op, timestamps.</summary>
    public static Schema Envelope(string name, Schema valueSchema) => SchemaBuilder.Struct().Name(name).Version(EnvelopeVersion)
        .Field("before", valueSchema)
        .Field("after", valueSchema)
        .Field("source", Source)
        .Field("transaction", TransactionBlock)
        .Field("op", Schema.StringSchema)
        .Field("ts_ms", Schema.OptionalInt64Schema)
        .Field("ts_us", Schema.OptionalInt64Schema)
        .Field("ts_ns", Schema.OptionalInt64Schema)
        .Build();
}
