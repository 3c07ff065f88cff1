using System.Text;
using KafkaConnect.Connect.Runtime.Storage;

namespace KafkaConnect.Connect.Runtime.Tests;

public sealed class OffsetTests
{
    private static Dictionary<string, object?> P(string f) => new() { ["filename"] = f };

    private static Dictionary<string, object?> O(long p) => new() { ["position"] = p };

    [Fact]
    public void SubmittedRecords_CommitsOnlyTheAcknowledgedPrefixPerPartition()
    {
        var submitted = new SubmittedRecords();
        var a1 = submitted.Submit(P("a"), O(1));
        var a2 = submitted.Submit(P("a"), O(2));
        var a3 = submitted.Submit(P("a"), O(3));
        var b1 = submitted.Submit(P("b"), O(10));

        a2.Ack();
        a3.Ack();
        Assert.Empty(submitted.Committable()); // a1 not acknowledged yet: nothing of "a" may be committed

        b1.Ack();
        var committable = submitted.Committable();
        Assert.Equal(10L, Assert.Single(committable).Value["position"]);

        a1.Ack();
        committable = submitted.Committable();
        Assert.Equal(3L, committable[P("a")]["position"]);
        Assert.Equal(0, submitted.Outstanding);
        Assert.True(submitted.AwaitAll(TimeSpan.Zero));
    }

    [Fact]
    public void SubmittedRecords_UnacknowledgedRecordBlocksLaterOnes_AwaitTimesOut()
    {
        var submitted = new SubmittedRecords();
        submitted.Submit(P("a"), O(1));
        submitted.Submit(P("a"), O(2)).Ack();
        Assert.Empty(submitted.Committable());
        Assert.False(submitted.AwaitAll(TimeSpan.FromMilliseconds(20)));
        Assert.Equal(1, submitted.Outstanding);
    }

    [Fact]
    public async Task FileStore_RoundTripsApacheShapes_AndIgnoresATornTempFile()
    {
        var dir = Directory.CreateTempSubdirectory("kc-offsets-").FullName;
        var path = Path.Combine(dir, "connect.offsets");
        var store = new FileOffsetBackingStore(path);
        store.Start();
        var writer = new OffsetStorageWriter(store, "conn");
        writer.Offset(P("/tmp/x.txt"), O(42));
        Assert.True(writer.BeginFlush());
        await writer.DoFlushAsync(CancellationToken.None);

        var text = File.ReadAllText(path);
        Assert.Contains("[\"conn\",{\"filename\":\"/tmp/x.txt\"}]", text, StringComparison.Ordinal);
        Assert.Contains("{\"position\":42}", text, StringComparison.Ordinal);

        // A crash in the middle of a save leaves a torn temporary file: it is ignored.
        File.WriteAllText(store.TempPath, "{\"version\":1,\"offsets\":[{\"key\":[\"conn\"");
        var reopened = new FileOffsetBackingStore(path);
        reopened.Start();
        var offset = new OffsetStorageReader(reopened, "conn").Offset(P("/tmp/x.txt"));
        Assert.NotNull(offset);
        Assert.IsType<long>(offset!["position"]);
        Assert.Equal(42L, offset["position"]);
        Assert.Null(new OffsetStorageReader(reopened, "other").Offset(P("/tmp/x.txt")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void OffsetJson_MatchesApacheSchemalessJson()
    {
        var key = OffsetJson.SerializeKey("c", new Dictionary<string, object?> { ["f"] = "é", ["n"] = 1, ["l"] = new List<object?> { true, null } });
        Assert.Equal("[\"c\",{\"f\":\"é\",\"n\":1,\"l\":[true,null]}]", Encoding.UTF8.GetString(key));
        Assert.Equal("{\"d\":1.0}", Encoding.UTF8.GetString(OffsetJson.Serialize(new Dictionary<string, object?> { ["d"] = 1.0 })));
        Assert.True(OffsetJson.TryParseKey(key, out var name, out var partition));
        Assert.Equal("c", name);
        Assert.Equal(1L, partition["n"]);
    }

    [Fact]
    public async Task OffsetWriter_CancelledFlushKeepsNewerOffsets()
    {
        var store = new MemoryOffsetBackingStore();
        var writer = new OffsetStorageWriter(store, "c");
        writer.Offset(P("a"), O(1));
        Assert.True(writer.BeginFlush());
        writer.Offset(P("a"), O(2));
        writer.CancelFlush();
        Assert.True(writer.BeginFlush());
        await writer.DoFlushAsync(CancellationToken.None);
        Assert.Equal(2L, new OffsetStorageReader(store, "c").Offset(P("a"))!["position"]);
    }
}
