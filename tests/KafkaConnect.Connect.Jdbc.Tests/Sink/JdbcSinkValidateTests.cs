using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Jdbc.Sink;

namespace KafkaConnect.Connect.Jdbc.Tests.Sink;

/// <summary>The sink's cross-setting rules reach REST validate, not only the task's start.</summary>
public sealed class JdbcSinkValidateTests
{
    private static Dictionary<string, string> Props(params (string Key, string Value)[] extra)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["connection.url"] = "jdbc:sqlite:validate.db",
            ["topics"] = "t",
        };
        foreach (var (k, v) in extra)
        {
            props[k] = v;
        }
        return props;
    }

    private static Dictionary<string, IReadOnlyList<string>> Errors(Dictionary<string, string> props) =>
        new JdbcSinkConnector().Validate(props).ConfigValues
            .Where(v => v.ErrorMessages.Count > 0)
            .ToDictionary(v => v.Name, v => (IReadOnlyList<string>)[.. v.ErrorMessages], StringComparer.Ordinal);

    [Fact]
    public void DeleteEnabledWithoutRecordKeyPk_IsAnErrorOnDeleteEnabled_AndStartFailsTheSame()
    {
        var props = Props(("delete.enabled", "true"), ("pk.mode", "record_value"), ("pk.fields", "id"));
        var errors = Errors(props);
        Assert.Equal(["delete.enabled requires pk.mode=record_key"], errors["delete.enabled"]);
        var ex = Assert.Throws<ConfigException>(() => new JdbcSinkConnector().Start(props));
        Assert.Contains("delete.enabled requires pk.mode=record_key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UpsertWithoutPrimaryKey_IsAnErrorOnPkMode()
    {
        var errors = Errors(Props(("insert.mode", "upsert"), ("pk.mode", "none")));
        Assert.Equal(["insert.mode=upsert needs a primary key (pk.mode other than none)"], errors["pk.mode"]);
    }

    [Fact]
    public void BothRulesBroken_BothReported()
    {
        var errors = Errors(Props(("insert.mode", "update"), ("pk.mode", "none"), ("delete.enabled", "true")));
        Assert.True(errors.ContainsKey("delete.enabled"));
        Assert.True(errors.ContainsKey("pk.mode"));
    }

    [Fact]
    public void ConsistentSettings_NoErrors()
    {
        Assert.Empty(Errors(Props(("insert.mode", "upsert"), ("pk.mode", "record_key"), ("delete.enabled", "true"))));
    }

    [Fact]
    public void ASettingInvalidOnItsOwn_IsReportedOnceByItsOwnCheck_NotAgainAsACrossRule()
    {
        var errors = Errors(Props(("insert.mode", "sideways")));
        Assert.Single(errors);
        Assert.True(errors.ContainsKey("insert.mode"));
    }
}
