using KafkaConnect.Client.Consumer;
using Xunit.Abstractions;

namespace KafkaConnect.Client.Tests.Consumer;

public sealed class DebugTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;
    private readonly ITestOutputHelper _out;
    public DebugTests(BrokerFixture broker, ITestOutputHelper o) { _broker = broker; _out = o; }

    [Fact]
    public async Task Debug_two()
    {
        await ConsumerTestKit.CreateTopicAsync(_broker, "dbg", 2);
        var config = ConsumerTestKit.Config(_broker, "dbg-group");
        await using (var first = new KafkaConsumer(config))
        {
            first.Subscribe(["dbg"]);
            for (var i = 0; i < 10; i++) { await first.PollAsync(TimeSpan.FromMilliseconds(100)); }
            _out.WriteLine($"first gen={first.Group!.Generation} assigned={string.Join(",", first.Assignment)}");
        }
        _out.WriteLine("disposed first");
        await using var second = new KafkaConsumer(config);
        second.Subscribe(["dbg"]);
        for (var i = 0; i < 20; i++)
        {
            try { await second.PollAsync(TimeSpan.FromMilliseconds(100)); } catch (Exception ex) { _out.WriteLine(ex.ToString()); }
            _out.WriteLine($"second gen={second.Group!.Generation} stable={second.Group.IsStable} assigned={string.Join(",", second.Assignment)} pos={string.Join(",", second.Assignment.Select(second.Position))}");
        }
    }
}
