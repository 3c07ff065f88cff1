using Npgsql;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>One row of pg_type: what the mapping of types without a fixed OID (enums, domains, arrays, extension
/// types such as citext and ltree) needs.</summary>
/// <param name="Kind">typtype: 'b' base, 'd' domain, 'e' enum, ...</param>
/// <param name="Category">typcategory: 'A' for arrays.</param>
internal sealed record PgTypeInfo(uint Oid, string Name, char Kind, char Category, uint BaseType, int BaseTypeModifier, uint Element,
    IReadOnlyList<string> EnumLabels);

/// <summary>The database's types by OID, read from the catalog and read again when a column has a type created since.</summary>
internal sealed class TypeRegistry
{
    private readonly Dictionary<uint, PgTypeInfo> _types;

    private TypeRegistry(Dictionary<uint, PgTypeInfo> types) => _types = types;

    /// <summary>An empty registry: only the types with fixed OIDs are mapped.</summary>
    public static TypeRegistry Empty { get; } = new([]);

    public bool TryGet(uint oid, out PgTypeInfo type) => _types.TryGetValue(oid, out type!);

    /// <summary>Whether every one of <paramref name="oids"/> is known.</summary>
    public bool Knows(IEnumerable<uint> oids) => oids.All(_types.ContainsKey);

    public static async Task<TypeRegistry> LoadAsync(NpgsqlConnection db, CancellationToken ct)
    {
        const string Sql = """
            SELECT t.oid, t.typname, t.typtype, t.typcategory, t.typbasetype, t.typtypmod, t.typelem,
                   ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
            FROM pg_type t
            """;
        var types = new Dictionary<uint, PgTypeInfo>();
        await using var command = new NpgsqlCommand(Sql, db);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var oid = reader.GetFieldValue<uint>(0);
            types[oid] = new PgTypeInfo(oid, reader.GetString(1), reader.GetChar(2), reader.GetChar(3), reader.GetFieldValue<uint>(4),
                reader.GetInt32(5), reader.GetFieldValue<uint>(6), reader.GetFieldValue<string[]>(7));
        }
        return new TypeRegistry(types);
    }
}
