using KafkaConnect.Connect.Debezium.Postgres;
using KafkaConnect.Connect.Runtime.Plugins;

namespace KafkaConnect.Connect.Debezium.Tests;

/// <summary>Debezium users' connector.class resolves to our connector in kconnect's registry.</summary>
public sealed class PluginRegistrationTests
{
    [Theory]
    [InlineData("io.debezium.connector.postgresql.PostgresConnector")]
    [InlineData("PostgresConnector")]
    public void Debeziums_class_name_resolves_from_the_built_in_assemblies(string name)
    {
        // Loaded into this process so the by-name load of the built-in assembly succeeds, as it does next to kconnect.
        _ = typeof(PostgresConnector).Assembly;
        var registry = PluginRegistry.Create();
        Assert.True(registry.TryResolve(name, out var type), name);
        Assert.Equal(typeof(PostgresConnector), type);
        Assert.Equal("io.debezium.connector.postgresql.PostgresConnector", registry.ClassNameOf(type));
    }
}
