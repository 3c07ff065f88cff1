using KafkaConnect.Client.Metrics;

namespace KafkaConnect.Client.Tests.Metrics;

public sealed class WindowedStatTests
{
    [Fact]
    public void Averages_and_maxima_cover_the_current_and_the_previous_30_second_sample()
    {
        var stat = new WindowedStat();
        var (avg, max) = stat.Read(0);
        Assert.True(double.IsNaN(avg) && double.IsNaN(max), "nothing recorded yet: NaN, as Apache");

        stat.Record(10, 0);
        stat.Record(20, 1_000);
        Assert.Equal((15.0, 20.0), stat.Read(2_000));

        // A new sample starts; the previous one still counts.
        stat.Record(5, 31_000);
        Assert.Equal((35.0 / 3, 20.0), stat.Read(31_000));

        // The first sample is dropped once the second is full.
        Assert.Equal((5.0, 5.0), stat.Read(61_000));

        // Nothing for more than two windows: empty again.
        (avg, max) = stat.Read(200_000);
        Assert.True(double.IsNaN(avg) && double.IsNaN(max));
    }

    [Fact]
    public void A_sample_that_ended_long_ago_does_not_count_as_the_previous_one()
    {
        var stat = new WindowedStat();
        stat.Record(100, 0);
        stat.Record(1, 90_000);
        Assert.Equal((1.0, 1.0), stat.Read(90_000));
    }
}
