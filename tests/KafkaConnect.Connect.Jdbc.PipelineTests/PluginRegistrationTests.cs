using KafkaConnect.Connect.Jdbc.Sink;
using KafkaConnect.Connect.Jdbc.Source;
using KafkaConnect.Connect.Runtime.Plugins;

namespace KafkaConnect.Connect.Jdbc.PipelineTests;

/// <summary>The names configurations use resolve to our JDBC connectors.</summary>
public sealed class PluginRegistrationTests
{
    [Theory]
    [InlineData("io.confluent.connect.jdbc.JdbcSourceConnector", typeof(JdbcSourceConnector))]
    [InlineData("JdbcSourceConnector", typeof(JdbcSourceConnector))]
    [InlineData("JdbcSource", typeof(JdbcSourceConnector))]
    [InlineData("io.confluent.connect.jdbc.JdbcSinkConnector", typeof(JdbcSinkConnector))]
    [InlineData("JdbcSinkConnector", typeof(JdbcSinkConnector))]
    [InlineData("JdbcSink", typeof(JdbcSinkConnector))]
    public void JavaNamesAndAliases_Resolve_WhenTheAssemblyIsScanned(string name, Type expected)
    {
        var registry = PluginRegistry.Create(extra: [typeof(JdbcSinkConnector).Assembly]);
        Assert.True(registry.TryResolve(name, out var type), name);
        Assert.Equal(expected, type);
        Assert.Equal(expected == typeof(JdbcSinkConnector) ? "io.confluent.connect.jdbc.JdbcSinkConnector" : "io.confluent.connect.jdbc.JdbcSourceConnector",
            registry.ClassNameOf(type));
    }

    // kconnect standalone builds its registry with PluginRegistry.Create(plugin.path) and no extra assemblies, so
    // only BuiltInAssemblies are scanned; KafkaConnect.Connect.Jdbc is deployed next to kconnect but not listed there.
    [Fact]
    public void KconnectRegistry_WithoutExtraAssemblies_FindsJdbcConnectors()
    {
        // Loaded into this process so that a by-name load of the assembly would succeed, as it does next to kconnect.
        _ = typeof(JdbcSinkConnector).Assembly;
        var registry = PluginRegistry.Create();
        Assert.True(registry.TryResolve("io.confluent.connect.jdbc.JdbcSourceConnector", out _));
        Assert.True(registry.TryResolve("io.confluent.connect.jdbc.JdbcSinkConnector", out _));
    }
}
