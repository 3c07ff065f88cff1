namespace KafkaConnect.Connect.SpoolDir.Tests;

/// <summary>docs/connectors/spooldir.md shows each connector's settings as its ConfigDef prints them.</summary>
public sealed class DocsTests
{
    internal static string RepoFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KafkaConnect.slnx")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), relative);
    }

    [Theory]
    [InlineData("Csv")]
    [InlineData("Json")]
    [InlineData("LineDelimited")]
    [InlineData("SchemaLessJson")]
    public void The_docs_table_is_the_config_definition(string name)
    {
        var format = Enum.Parse<SpoolDirFormat>(name);
        var page = File.ReadAllText(RepoFile("docs/connectors/spooldir.md")).ReplaceLineEndings("\n");
        var begin = $"<!-- settings:{format} -->\n";
        var start = page.IndexOf(begin, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/connectors/spooldir.md has no '{begin.Trim()}' section");
        start += begin.Length;
        var end = page.IndexOf("<!-- end -->", start, StringComparison.Ordinal);
        // Edit SpoolDirConfig, then paste the table this message prints.
        Assert.Equal(SpoolDirConfig.Definition(format).ToMarkdown(), page[start..end]);
    }
}
