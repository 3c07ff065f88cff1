using KafkaConnect.Connect.Debezium.Postgres;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>docs/connectors/debezium-postgres.md lists exactly the settings the ConfigDef declares.</summary>
public sealed class DocsTests
{
    private const string Begin = "<!-- config table: generated from PostgresConnectorConfig.ConfigDef.ToMarkdown() -->";
    private const string End = "<!-- end of config table -->";

    [Fact]
    public void The_docs_config_table_is_the_configdefs()
    {
        var path = Path.Combine(RepoRoot(), "docs", "connectors", "debezium-postgres.md");
        var text = File.ReadAllText(path);
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{path} must hold the markers {Begin} and {End}");
        var generated = Begin + "\n" + PostgresConnectorConfig.ConfigDef.ToMarkdown() + End;
        var current = text[start..(end + End.Length)];
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
