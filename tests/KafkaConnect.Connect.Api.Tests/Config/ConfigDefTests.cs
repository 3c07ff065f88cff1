using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Tests.Config;

public sealed class ConfigDefTests
{
    private static ConfigDef Definition() => new ConfigDef()
        .Define("host", ConfigType.String, Importance.High, "Host to connect to.")
        .Define("port", ConfigType.Int, 9092, ConfigDef.Range.Between(1, 65535), Importance.High, "Port.")
        .Define("batch.size", ConfigType.Long, "100", ConfigDef.Range.AtLeast(1), Importance.Medium, "Records per batch.")
        .Define("ratio", ConfigType.Double, 0.5, Importance.Low, "A ratio.")
        .Define("retries", ConfigType.Short, (short)3, Importance.Low, "Retries.")
        .Define("enabled", ConfigType.Boolean, true, Importance.Low, "Toggle.")
        .Define("tables", ConfigType.List, "", Importance.Medium, "Tables | to copy.")
        .Define("mode", ConfigType.String, "bulk", ConfigDef.ValidString.In("bulk", "incrementing"), Importance.High, "Copy mode.")
        .Define("secret", ConfigType.Password, null, Importance.High, "The password.")
        .Define("name", ConfigType.String, "x", ConfigDef.NonEmptyString.Instance, Importance.Low, "A name.");

    private static Dictionary<string, string> Props(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    [Fact]
    public void Parse_ConvertsTypesAndFillsDefaults()
    {
        var parsed = Definition().Parse(Props(("host", " example.org "), ("port", "1234"), ("enabled", "FALSE"),
            ("tables", "a, b ,c"), ("secret", "hunter2")));
        Assert.Equal("example.org", parsed["host"]);
        Assert.Equal(1234, parsed["port"]);
        Assert.Equal(100L, parsed["batch.size"]);
        Assert.Equal(0.5, parsed["ratio"]);
        Assert.Equal((short)3, parsed["retries"]);
        Assert.Equal(false, parsed["enabled"]);
        Assert.Equal(["a", "b", "c"], (IReadOnlyList<string>)parsed["tables"]!);
        Assert.Equal("bulk", parsed["mode"]);
        Assert.Equal("hunter2", ((Password)parsed["secret"]!).Value);
    }

    [Fact]
    public void Parse_MissingRequired_NamesTheKey()
    {
        var ex = Assert.Throws<ConfigException>(() => Definition().Parse(Props()));
        Assert.Equal("Missing required configuration \"host\" which has no default value.", ex.Message);
    }

    [Fact]
    public void Parse_WrongType_NamesKeyAndValue()
    {
        var ex = Assert.Throws<ConfigException>(() => Definition().Parse(Props(("host", "h"), ("port", "abc"))));
        Assert.Equal("Invalid value abc for configuration port: Not a number of type INT", ex.Message);
        Assert.Equal("port", ex.ConfigName);
        Assert.Throws<ConfigException>(() => Definition().Parse(Props(("host", "h"), ("enabled", "yes"))));
    }

    [Fact]
    public void Parse_ValidatorFailure_Throws()
    {
        var ex = Assert.Throws<ConfigException>(() => Definition().Parse(Props(("host", "h"), ("port", "0"))));
        Assert.Equal("Invalid value 0 for configuration port: Value must be at least 1", ex.Message);
        ex = Assert.Throws<ConfigException>(() => Definition().Parse(Props(("host", "h"), ("mode", "other"))));
        Assert.Contains("String must be one of: bulk, incrementing", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigException>(() => Definition().Parse(Props(("host", "h"), ("name", ""))));
    }

    [Fact]
    public void Define_RejectsDuplicatesAndInvalidDefaults()
    {
        Assert.Throws<ConfigException>(() => new ConfigDef().Define("a", ConfigType.Int, 1, Importance.Low, "").Define("a", ConfigType.Int, 1, Importance.Low, ""));
        Assert.Throws<ConfigException>(() => new ConfigDef().Define("a", ConfigType.Int, "x", Importance.Low, ""));
        Assert.Throws<ConfigException>(() => new ConfigDef().Define("a", ConfigType.Int, 0, ConfigDef.Range.AtLeast(1), Importance.Low, ""));
    }

    [Fact]
    public void Validate_CollectsErrorsPerKeyWithoutThrowing()
    {
        var results = Definition().Validate(Props(("port", "abc"), ("batch.size", "0"), ("secret", "hunter2")));
        var byName = results.ToDictionary(r => r.Name);
        Assert.Equal(Definition().Names, results.Select(r => r.Name));
        Assert.Single(byName["host"].ErrorMessages);
        Assert.Contains("Missing required configuration", byName["host"].ErrorMessages[0], StringComparison.Ordinal);
        Assert.Equal("Invalid value abc for configuration port: Not a number of type INT", Assert.Single(byName["port"].ErrorMessages));
        Assert.Null(byName["port"].Value);
        Assert.Equal("Invalid value 0 for configuration batch.size: Value must be at least 1", Assert.Single(byName["batch.size"].ErrorMessages));
        Assert.Empty(byName["mode"].ErrorMessages);
        Assert.Equal("bulk", byName["mode"].Value);
        Assert.True(byName["mode"].Visible);
    }

    [Fact]
    public void Password_IsMaskedEverywhereButValue()
    {
        var password = new Password("hunter2");
        Assert.Equal("[hidden]", password.ToString());
        var results = Definition().Validate(Props(("host", "h"), ("secret", "hunter2")));
        var secret = results.Single(r => r.Name == "secret");
        Assert.Equal("[hidden]", secret.Value!.ToString());
        Assert.DoesNotContain("hunter2", secret.ToString(), StringComparison.Ordinal);
        var ex = new ConfigException("secret", password, "bad");
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        var config = new AbstractConfig(Definition(), Props(("host", "h"), ("secret", "hunter2")));
        Assert.DoesNotContain("hunter2", config.ToString(), StringComparison.Ordinal);
        Assert.Equal("hunter2", config.GetPassword("secret")!.Value);
    }

    private sealed class ModeRecommender : IRecommender
    {
        public IReadOnlyList<object?> ValidValues(string name, IReadOnlyDictionary<string, object?> parsedConfig) =>
            parsedConfig["mode"] as string == "incrementing" ? ["id", "seq"] : [];

        public bool Visible(string name, IReadOnlyDictionary<string, object?> parsedConfig) =>
            parsedConfig["mode"] as string == "incrementing";
    }

    private static ConfigDef DependentDefinition() => new ConfigDef()
        .Define("mode", ConfigType.String, "bulk", ConfigDef.ValidString.In("bulk", "incrementing"), Importance.High, "Mode.",
            dependents: ["incrementing.column"])
        .Define("incrementing.column", ConfigType.String, "", null, Importance.Medium, "Column.", recommender: new ModeRecommender());

    [Fact]
    public void Validate_RecommenderSeesParentValue()
    {
        var hidden = DependentDefinition().Validate(Props()).Single(v => v.Name == "incrementing.column");
        Assert.False(hidden.Visible);
        Assert.Empty(hidden.RecommendedValues);

        var shown = DependentDefinition().Validate(Props(("mode", "incrementing"))).Single(v => v.Name == "incrementing.column");
        Assert.True(shown.Visible);
        Assert.Equal(["id", "seq"], shown.RecommendedValues);
    }

    [Fact]
    public void Validate_UndefinedDependent_IsReported()
    {
        var def = new ConfigDef().Define("a", ConfigType.String, "", null, Importance.Low, "", dependents: ["ghost"]);
        var ghost = def.Validate(Props()).Single(v => v.Name == "ghost");
        Assert.Contains("ghost is referred in the dependents, but not defined.", ghost.ErrorMessages);
        Assert.Throws<ConfigException>(() => def.Parse(Props()));
    }

    [Fact]
    public void ValidList_ChecksEveryElement()
    {
        var def = new ConfigDef().Define("l", ConfigType.List, "a", ConfigDef.ValidList.In("a", "b"), Importance.Low, "");
        Assert.Equal(["a", "b"], (IReadOnlyList<string>)def.Parse(Props(("l", "a,b")))["l"]!);
        Assert.Throws<ConfigException>(() => def.Parse(Props(("l", "a,c"))));
    }

    [Fact]
    public void ClassType_ResolvesTypes()
    {
        var def = new ConfigDef().Define("c", ConfigType.Class, NoDefault(), null, Importance.Low, "");
        Assert.Equal(typeof(string), def.Parse(Props(("c", "System.String")))["c"]);
        Assert.Throws<ConfigException>(() => def.Parse(Props(("c", "No.Such.Type"))));
    }

    private static object NoDefault() => ConfigDef.NoDefaultValue;

    [Fact]
    public void ToMarkdown_RendersTableWithRequiredFirst()
    {
        var markdown = Definition().DefineInternal("internal.x", ConfigType.Int, 1, Importance.Low).ToMarkdown();
        var lines = markdown.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| Name | Description | Type | Default | Valid Values | Importance |", lines[0]);
        Assert.StartsWith("| `host` | Host to connect to. | string |  |  | high |", lines[2], StringComparison.Ordinal);
        Assert.Contains("| `port` | Port. | int | 9092 | [1,...,65535] | high |", markdown, StringComparison.Ordinal);
        Assert.Contains("Tables \\| to copy.", markdown, StringComparison.Ordinal);
        Assert.Contains("| `mode` | Copy mode. | string | bulk | [bulk, incrementing] | high |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("internal.x", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Embed_PrefixesKeys()
    {
        var child = new ConfigDef().Define("field", ConfigType.String, Importance.High, "Field.");
        var parent = new ConfigDef().Embed("transforms.x.", "Transforms: x", 0, child);
        Assert.True(parent.ConfigKeys.ContainsKey("transforms.x.field"));
        Assert.Equal("Transforms: x", parent.ConfigKeys["transforms.x.field"].Group);
    }
}
