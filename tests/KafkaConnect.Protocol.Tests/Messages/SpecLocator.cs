namespace KafkaConnect.Protocol.Tests.Messages;

/// <summary>Finds the Kafka message specs: ../shared beside the repo root (the folder holding KafkaConnect.slnx), or /work/shared.</summary>
internal static class SpecLocator
{
    public static string? RepoRoot { get; } = FindRepoRoot();

    public static string? SpecDir { get; } = FindSpecDir();

    public const string MissingMessage =
        "Kafka message specs not found (looked for ../shared/kafka-protocol/messages beside the repo root and /work/shared); skipped.";

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KafkaConnect.slnx"))) return dir.FullName;
        return null;
    }

    private static string? FindSpecDir()
    {
        var candidates = new List<string>();
        if (RepoRoot is not null) candidates.Add(Path.Combine(RepoRoot, "..", "shared", "kafka-protocol", "messages"));
        candidates.Add("/work/shared/kafka-protocol/messages");
        foreach (var c in candidates)
            if (Directory.Exists(c) && Directory.GetFiles(c, "*.json").Length > 0) return Path.GetFullPath(c);
        return null;
    }
}

/// <summary>A fact that is skipped, with a reason, when the message specs are not available.</summary>
public sealed class SpecFactAttribute : FactAttribute
{
    public SpecFactAttribute()
    {
        if (SpecLocator.SpecDir is null || SpecLocator.RepoRoot is null) Skip = SpecLocator.MissingMessage;
    }
}
