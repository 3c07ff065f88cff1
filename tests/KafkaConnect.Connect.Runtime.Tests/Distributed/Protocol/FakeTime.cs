namespace KafkaConnect.Connect.Runtime.Tests.Distributed.Protocol;

/// <summary>A clock that only moves when told to.</summary>
internal sealed class FakeTime : TimeProvider
{
    private DateTimeOffset _now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    public void Advance(int ms) => Advance(TimeSpan.FromMilliseconds(ms));
}
