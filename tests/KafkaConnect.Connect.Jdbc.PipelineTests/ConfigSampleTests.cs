namespace KafkaConnect.Connect.Jdbc.PipelineTests;

/// <summary>The shipped config/jdbc-*.properties samples validate against the connectors' ConfigDefs.</summary>
public sealed class ConfigSampleTests : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly BrokerFixture _broker;
    private readonly string _dir = Directory.CreateTempSubdirectory("kc-jdbc-pipeline").FullName;

    public ConfigSampleTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("jdbc-source-mariadb.properties")]
    [InlineData("jdbc-sink-postgres.properties")]
    public async Task Sample_ValidatesWithoutErrors(string file)
    {
        var config = ReadProperties(Path.Combine(RepoRoot(), "config", file));
        await using var herder = Harness.NewHerder(_broker.BootstrapServers, Path.Combine(_dir, "connect.offsets"));
        var result = await herder.ValidateConnectorConfigAsync(config["connector.class"], config);
        var errors = result.Configs.SelectMany(c => c.Value.Errors.Select(e => $"{c.Value.Name}: {e}")).ToList();
        Assert.True(result.ErrorCount == 0, string.Join("\n", errors));
    }

    // Enough of the properties format for the samples: key=value lines, # comments, empty values.
    private static Dictionary<string, string> ReadProperties(string path)
    {
        var props = new Dictionary<string, string>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }
            var eq = line.IndexOf('=');
            props[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return props;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KafkaConnect.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
