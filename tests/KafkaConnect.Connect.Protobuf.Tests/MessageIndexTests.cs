namespace KafkaConnect.Connect.Protobuf.Tests;

public sealed class MessageIndexTests
{
    [Theory]
    [InlineData(new[] { 0 }, "00")]
    [InlineData(new[] { 1 }, "0202")]
    [InlineData(new[] { 1, 2 }, "040204")]
    [InlineData(new[] { 0, 70 }, "04008c01")]
    public void Indexes_are_a_zigzag_count_and_zigzag_values(int[] indexes, string hex)
    {
        var buffer = new byte[MessageIndexes.SizeOf(indexes)];
        var written = MessageIndexes.Write(buffer, indexes);
        Assert.Equal(hex, Convert.ToHexString(buffer, 0, written).ToLowerInvariant());
        Assert.Equal(written, MessageIndexes.Read(buffer.AsSpan(0, written), out var back));
        Assert.Equal(indexes, back);
    }
}
