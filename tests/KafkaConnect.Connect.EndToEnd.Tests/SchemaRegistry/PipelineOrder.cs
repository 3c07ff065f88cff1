namespace KafkaConnect.Connect.EndToEnd.Tests.Registry;

/// <summary>
/// The order the JSON Schema and Protobuf pipeline tests send through: one field for each column type the JDBC sink
/// creates from a Connect type (int16/32/64, float32/64, boolean, string, optional string) and from each logical type
/// (Decimal, Date, Time, Timestamp), with the values every side must see.
/// </summary>
internal sealed record PipelineOrder(
    int Id, short Rank, string Customer, long Quantity, decimal Price, DateOnly OrderedOn, TimeOnly ShipsAt, DateTime CreatedAt,
    bool Paid, float Ratio, double Weight, string? Note)
{
    public const int Records = 30;

    /// <summary>The scale the producers give <see cref="Price"/>.</summary>
    public const int PriceScale = 2;

    public static readonly DateOnly EpochDay = new(1970, 1, 1);

    private const string Select = "SELECT id, rank, customer, quantity, price, ordered_on, ships_at, created_at, paid, ratio, weight, note";

    /// <summary>Record <paramref name="i"/> (1-based): negatives, fractions and nulls included; floats exactly representable.</summary>
    public static PipelineOrder For(int i, string who) => new(
        i, (short)(i * 100 - 1500), $"{who}-customer-{i} ✓", i * 1_000_000_007L, (i * 100 + 99) / 100m * (i % 4 == 0 ? -1 : 1),
        new DateOnly(2026, 1, 1).AddDays(i * 7), new TimeOnly(8, 0).Add(TimeSpan.FromMinutes(i * 11)).Add(TimeSpan.FromMilliseconds(i)),
        new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc).AddSeconds(i).AddMilliseconds(i), i % 2 == 0, i * 0.25f - 2, i * 0.5,
        i % 3 == 0 ? null : $"note {i}");

    public static List<PipelineOrder> All(string who) => [.. Enumerable.Range(1, Records).Select(i => For(i, who))];

    /// <summary>The columns the sink should create, as <see cref="PipelinePostgres.ColumnsAsync"/> reports them.</summary>
    public static Dictionary<string, string> Columns(params string[] nullable)
    {
        var types = new Dictionary<string, string>
        {
            ["id"] = "integer",
            ["rank"] = "smallint",
            ["customer"] = "text",
            ["quantity"] = "bigint",
            ["price"] = "numeric",
            ["ordered_on"] = "date",
            ["ships_at"] = "time without time zone",
            ["created_at"] = "timestamp without time zone",
            ["paid"] = "boolean",
            ["ratio"] = "real",
            ["weight"] = "double precision",
            ["note"] = "text",
        };
        return types.ToDictionary(t => t.Key, t => t.Value + (nullable.Contains(t.Key) ? " YES" : " NO"));
    }

    /// <summary>The rows the sink wrote to <paramref name="table"/>, by id.</summary>
    public static Task<List<PipelineOrder>> RowsAsync(string table) => PipelinePostgres.QueryAsync(
        $"{Select} FROM \"{table}\" ORDER BY id",
        r => new PipelineOrder(r.GetInt32(0), r.GetInt16(1), r.GetString(2), r.GetInt64(3), r.GetDecimal(4),
            r.GetFieldValue<DateOnly>(5), r.GetFieldValue<TimeOnly>(6), DateTime.SpecifyKind(r.GetDateTime(7), DateTimeKind.Utc),
            r.GetBoolean(8), r.GetFloat(9), r.GetDouble(10), r.IsDBNull(11) ? null : r.GetString(11)));
}
