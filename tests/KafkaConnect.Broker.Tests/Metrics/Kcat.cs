using System.Globalization;
using KafkaConnect.Broker.IntegrationTests.Infrastructure;

namespace KafkaConnect.Broker.Tests.Metrics;

/// <summary>
/// kcat (librdkafka), a Kafka client nobody here wrote. Missing, it fails the test with how to install it
/// (<see cref="Clients.RequireKcat"/>): these tests prove what a real client sees, so skipping would hide regressions.
/// </summary>
internal static class Kcat
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Produces one record per line to partition 0 of the topic (created on first use), and waits for every acknowledgement.</summary>
    public static async Task ProduceAsync(string bootstrap, string topic, IEnumerable<string> lines)
    {
        var input = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(input, string.Join('\n', lines) + "\n");
            await RunAsync(["-P", "-b", bootstrap, "-t", topic, "-p", "0", "-X", "acks=all"], input);
        }
        finally
        {
            File.Delete(input);
        }
    }

    /// <summary>Reads the topic from the start to its end without a group; returns the values.</summary>
    public static Task<string[]> ConsumeAsync(string bootstrap, string topic) =>
        RunAsync(["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q"]);

    /// <summary>Consumes as a member of <paramref name="group"/> (at most <paramref name="count"/> records, else to the end), committing on close.</summary>
    public static Task<string[]> ConsumeInGroupAsync(string bootstrap, string group, string topic, int? count = null)
    {
        // Not -o: in group mode it would override the committed offsets; a new group starts at the beginning.
        List<string> args = ["-b", bootstrap, "-G", group, "-q", "-X", "auto.offset.reset=earliest", "-X", "enable.auto.commit=true"];
        if (count is { } c) args.AddRange(["-c", c.ToString(CultureInfo.InvariantCulture)]);
        else args.Add("-e");
        args.Add(topic);
        return RunAsync(args);
    }

    /// <summary>Runs kcat, which must succeed; returns its output lines.</summary>
    private static async Task<string[]> RunAsync(IEnumerable<string> args, string? inputFile = null)
    {
        var result = await ProcessRunner.RunAsync(Clients.RequireKcat(), args, Timeout, inputFile);
        Assert.True(result.Succeeded, result.Describe());
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
