using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Headers;

namespace KafkaConnect.Connect.Tests.Records;

public sealed class HeadersTests
{
    [Fact]
    public void TypedAdds_UseMatchingSchemas()
    {
        var headers = new ConnectHeaders()
            .AddString("s", "v").AddInt("i", 1).AddLong("l", 2).AddBoolean("b", true).AddDouble("d", 1.5)
            .AddBytes("bytes", [1]).AddDate("date", new DateOnly(2020, 1, 1)).AddDecimal("dec", 1.25m);
        Assert.Equal(8, headers.Count);
        Assert.Equal(Schema.StringSchema, headers.LastWithName("s")!.Schema);
        Assert.Equal(Schema.Int32Schema, headers.LastWithName("i")!.Schema);
        Assert.Equal(Date.Schema, headers.LastWithName("date")!.Schema);
        Assert.Equal("2", headers.LastWithName("dec")!.Schema!.Parameters["scale"]);
        Assert.Equal(Schema.OptionalStringSchema, new ConnectHeaders().AddString("n", null).LastWithName("n")!.Schema);
    }

    [Fact]
    public void Add_WithSchema_ValidatesValue()
    {
        var headers = new ConnectHeaders();
        Assert.Throws<DataException>(() => headers.Add("k", "x", Schema.Int32Schema));
        Assert.Throws<DataException>(() => headers.Add("k", null, Schema.Int32Schema));
        Assert.Throws<DataException>(() => headers.AddList("k", new List<object?> { 1 }, Schema.Int32Schema));
        headers.Add("k", "x", null);
        headers.AddList("list", new List<object?> { 1 }, SchemaBuilder.Array(Schema.Int32Schema).Build());
        Assert.Equal(2, headers.Count);
    }

    [Fact]
    public void LastWithName_AllWithName_Remove_Retain()
    {
        var headers = new ConnectHeaders().AddString("a", "1").AddString("b", "x").AddString("a", "2");
        Assert.Equal("2", headers.LastWithName("a")!.Value);
        Assert.Equal(["1", "2"], headers.AllWithName("a").Select(h => h.Value));
        Assert.Null(headers.LastWithName("c"));

        var copy = headers.Duplicate();
        copy.RetainLatest();
        Assert.Equal(["x", "2"], copy.Select(h => h.Value));

        copy = headers.Duplicate();
        copy.Retain("a");
        Assert.Equal(["1", "2"], copy.Select(h => h.Value));

        headers.Remove("a");
        Assert.Equal(["b"], headers.Select(h => h.Key));
    }

    [Fact]
    public void Duplicate_IsIndependent()
    {
        var headers = new ConnectHeaders().AddInt("a", 1);
        var copy = headers.Duplicate();
        copy.AddInt("b", 2);
        headers.Clear();
        Assert.True(headers.IsEmpty);
        Assert.Equal(2, copy.Count);
        Assert.Equal(new ConnectHeaders().AddInt("a", 1), new ConnectHeaders().AddInt("a", 1));
    }

    [Fact]
    public void Apply_TransformsAndRemoves()
    {
        var headers = new ConnectHeaders().AddInt("a", 1).AddInt("b", 2).AddInt("a", 3);
        headers.Apply("a", h => (int)h.Value! == 1 ? null : h.Rename("c"));
        Assert.Equal(["b", "c"], headers.Select(h => h.Key));
        headers.Apply(h => h.With(Schema.StringSchema, h.Value!.ToString()));
        Assert.All(headers, h => Assert.Equal(Schema.StringSchema, h.Schema));
    }
}
