using System.Text.Json;

namespace KafkaConnect.Connect.Rest.Tests;

public sealed class RestJsonTests
{
    [Fact]
    public void Integers_stay_longs_and_fractions_become_doubles()
    {
        using var doc = JsonDocument.Parse("""{"position":4,"ratio":0.5,"big":9007199254740993,"nested":[1,{"x":2}]}""");
        var map = RestJson.ToDictionary(doc.RootElement);
        Assert.IsType<long>(map["position"]);
        Assert.Equal(4L, map["position"]);
        Assert.IsType<double>(map["ratio"]);
        Assert.Equal(9007199254740993L, map["big"]);
        var nested = Assert.IsType<List<object?>>(map["nested"]);
        Assert.IsType<long>(nested[0]);
        Assert.Equal(2L, Assert.IsType<Dictionary<string, object?>>(nested[1])["x"]);
    }
}
