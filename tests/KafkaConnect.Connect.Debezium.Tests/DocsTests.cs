using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Debezium.Postgres;
using KafkaConnect.Connect.Debezium.Transforms;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>docs/connectors/debezium-postgres.md lists exactly the settings the ConfigDefs declare.</summary>
public sealed class DocsTests
{
    [Fact]
    public void The_docs_config_table_is_the_configdefs() =>
        AssertTable("config table: generated from PostgresConnectorConfig.ConfigDef.ToMarkdown()", "end of config table",
            PostgresConnectorConfig.ConfigDef);

    [Fact]
    public void The_docs_unwrap_config_table_is_the_transformations_configdef() =>
        AssertTable("unwrap config table: generated from ExtractNewRecordState.Config().ToMarkdown()", "end of unwrap config table",
            new ExtractNewRecordState().Config());

    private static void AssertTable(string beginMarker, string endMarker, ConfigDef def)
    {
        var begin = "<!-- " + beginMarker + " -->";
        var end = "<!-- " + endMarker + " -->";
        var path = Path.Combine(RepoRoot(), "docs", "connectors", "debezium-postgres.md");
        var text = File.ReadAllText(path);
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        Assert.True(start >= 0 && stop > start, $"{path} must hold the markers {begin} and {end}");
        var generated = begin + "\n" + def.ToMarkdown() + end;
        var current = text[start..(stop + end.Length)];
        if (Environment.GetEnvironmentVariable("KC_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text.Replace(current, generated, StringComparison.Ordinal));
            return;
        }
        Assert.True(generated == current, "The config table is out of date: run this test with KC_UPDATE_DOCS=1");
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KafkaConnect.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("KafkaConnect.slnx not found above " + AppContext.BaseDirectory);
    }
}
