using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Jdbc.Dialects;

namespace KafkaConnect.Connect.Jdbc.Tests.Dialects;

/// <summary>SQL Server has no server here: its generated SQL is checked as exact strings.</summary>
public sealed class SqlServerSqlTests
{
    private static readonly SqlServerDialect s_dialect = new();
    private static readonly TableId s_table = new(null, "dbo", "orders");

    [Fact]
    public void Parse_SelectsTheDialect()
    {
        var parsed = JdbcUrl.Parse("jdbc:sqlserver://db.local:1433;databaseName=shop", "sa", "pw");
        Assert.IsType<SqlServerDialect>(parsed.Dialect);
        Assert.Equal("SqlServerDatabaseDialect", parsed.Dialect.Name);
    }

    [Fact]
    public void Quoting_Brackets_AndEscapesClosingBracket()
    {
        Assert.Equal("[a]]b]", s_dialect.QuoteIdentifier("a]b"));
        Assert.Equal("[dbo].[orders]", s_dialect.QualifiedTableName(s_table));
        Assert.Equal("[shop].[dbo].[orders]", s_dialect.QualifiedTableName(s_dialect.ParseTableId("shop.dbo.orders")));
        var unquoted = new SqlServerDialect { QuoteIdentifiers = false };
        Assert.Equal("dbo.orders", unquoted.QualifiedTableName(s_table));
    }

    [Fact]
    public void CreateTable_MapsEveryType()
    {
        var columns = new List<SinkColumn>
        {
            new("id", Schema.Int64Schema, true),
            new("code", Schema.StringSchema, true),
            new("i8", Schema.Int8Schema, false),
            new("i16", Schema.OptionalInt16Schema, false),
            new("i32", SchemaBuilder.Int32().Optional().DefaultValue(5).Build(), false),
            new("f32", Schema.OptionalFloat32Schema, false),
            new("f64", Schema.Float64Schema, false),
            new("ok", SchemaBuilder.Bool().DefaultValue(true).Build(), false),
            new("note", SchemaBuilder.String().Optional().DefaultValue("it's").Build(), false),
            new("raw", Schema.OptionalBytesSchema, false),
            new("amount", Data.Decimal.Builder(2).Optional().Build(), false),
            new("d", Date.Builder().Optional().Build(), false),
            new("t", Time.Builder().Optional().Build(), false),
            new("ts", Timestamp.Schema, false),
        };
        Assert.Equal(
            "CREATE TABLE [dbo].[orders] (\n"
            + "[id] BIGINT NOT NULL,\n"
            + "[code] VARCHAR(900) NOT NULL,\n"
            + "[i8] TINYINT NOT NULL,\n"
            + "[i16] SMALLINT NULL,\n"
            + "[i32] INT DEFAULT 5 NULL,\n"
            + "[f32] REAL NULL,\n"
            + "[f64] FLOAT NOT NULL,\n"
            + "[ok] BIT DEFAULT 1 NOT NULL,\n"
            + "[note] VARCHAR(MAX) DEFAULT 'it''s' NULL,\n"
            + "[raw] VARBINARY(MAX) NULL,\n"
            + "[amount] DECIMAL(38,2) NULL,\n"
            + "[d] DATE NULL,\n"
            + "[t] TIME NULL,\n"
            + "[ts] DATETIME2 NOT NULL,\n"
            + "PRIMARY KEY([id], [code]))",
            s_dialect.BuildCreateTable(s_table, columns));
    }

    [Fact]
    public void AlterTable_OneAddWithAColumnList()
    {
        var sql = s_dialect.BuildAlterTable(s_table, [
            new SinkColumn("score", Schema.OptionalFloat64Schema, false),
            new SinkColumn("tag", SchemaBuilder.Bytes().Optional().DefaultValue(new byte[] { 0xAB, 1 }).Build(), false),
        ]);
        Assert.Equal(["ALTER TABLE [dbo].[orders] ADD\n[score] FLOAT NULL,\n[tag] VARBINARY(MAX) DEFAULT 0xAB01 NULL"], sql);
    }

    [Fact]
    public void Insert_MultiRow()
    {
        Assert.Equal("INSERT INTO [dbo].[orders]([id], [name]) VALUES (@p0, @p1), (@p2, @p3)",
            s_dialect.BuildInsert(s_table, ["id", "name"], 2));
    }

    [Fact]
    public void Upsert_IsAMergeWithHoldlock()
    {
        Assert.Equal(
            "MERGE INTO [dbo].[orders] WITH (HOLDLOCK) AS target USING (VALUES (@p0, @p1, @p2, @p3), (@p4, @p5, @p6, @p7)) "
            + "AS incoming ([id], [region], [name], [qty]) ON (target.[id]=incoming.[id] AND target.[region]=incoming.[region]) "
            + "WHEN MATCHED THEN UPDATE SET [name]=incoming.[name], [qty]=incoming.[qty] "
            + "WHEN NOT MATCHED THEN INSERT ([id], [region], [name], [qty]) VALUES (incoming.[id], incoming.[region], incoming.[name], incoming.[qty]);",
            s_dialect.BuildUpsert(s_table, ["id", "region"], ["name", "qty"], 2));
    }

    [Fact]
    public void Upsert_KeyOnly_InsertsWhenMissing()
    {
        Assert.Equal(
            "MERGE INTO [dbo].[orders] WITH (HOLDLOCK) AS target USING (VALUES (@p0)) AS incoming ([id]) ON (target.[id]=incoming.[id]) "
            + "WHEN NOT MATCHED THEN INSERT ([id]) VALUES (incoming.[id]);",
            s_dialect.BuildUpsert(s_table, ["id"], [], 1));
    }

    [Fact]
    public void Update_AndBatchedUpdate()
    {
        Assert.Equal("UPDATE [dbo].[orders] SET [name] = @p0, [qty] = @p1 WHERE [id] = @p2",
            s_dialect.BuildUpdate(s_table, ["id"], ["name", "qty"]));
        Assert.Equal("UPDATE [dbo].[orders] SET [name] = @p0 WHERE [id] = @p1;\nUPDATE [dbo].[orders] SET [name] = @p2 WHERE [id] = @p3",
            s_dialect.BuildUpdateBatch(s_table, ["id"], ["name"], 2));
    }

    [Fact]
    public void Delete_ByCompositeKey()
    {
        Assert.Equal("DELETE FROM [dbo].[orders] WHERE ([id] = @p0 AND [region] = @p1) OR ([id] = @p2 AND [region] = @p3)",
            s_dialect.BuildDelete(s_table, ["id", "region"], 2));
    }

    [Fact]
    public void RowsPerStatement_StayBelowTheLimits()
    {
        Assert.Equal(1_000, s_dialect.MaxRowsPerStatement);
        Assert.True(s_dialect.MaxParameters < 2_100);
    }
}
