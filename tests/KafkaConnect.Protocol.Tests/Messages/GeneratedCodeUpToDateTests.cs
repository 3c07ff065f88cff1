using KafkaConnect.ProtocolGen;

namespace KafkaConnect.Protocol.Tests.Messages;

public sealed class GeneratedCodeUpToDateTests
{
    [SpecFact]
    public void CommittedCodecsMatchTheGenerator()
    {
        var temp = Path.Combine(Path.GetTempPath(), "kc-protogen-" + Guid.NewGuid().ToString("N"));
        try
        {
            Generator.WriteAll(SpecLocator.SpecDir!, temp);
            var committedDir = Path.Combine(SpecLocator.RepoRoot!, "src", "KafkaConnect.Protocol", "Generated");
            var expected = Directory.GetFiles(temp, "*.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            var actual = Directory.GetFiles(committedDir, "*.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, actual);
            var stale = new List<string>();
            foreach (var name in expected)
                if (File.ReadAllText(Path.Combine(temp, name!)) != File.ReadAllText(Path.Combine(committedDir, name!))) stale.Add(name!);
            Assert.True(stale.Count == 0,
                "Generated codecs are out of date; run `dotnet run --project tools/KafkaConnect.ProtocolGen -- <specDir> src/KafkaConnect.Protocol/Generated`: "
                + string.Join(", ", stale));
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, true);
        }
    }

    [SpecFact]
    public void EveryRequestAndResponseSpecHasAGeneratedType()
    {
        var specs = Generator.LoadSpecs(SpecLocator.SpecDir!);
        Assert.True(specs.Count >= 180, $"only {specs.Count} specs");
        foreach (var spec in specs)
        {
            var type = typeof(ProtocolReader).Assembly.GetType("KafkaConnect.Protocol.Messages." + spec.Name);
            Assert.True(type is not null, spec.Name);
        }
    }
}
