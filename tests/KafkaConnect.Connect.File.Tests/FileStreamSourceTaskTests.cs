using System.Diagnostics;
using System.IO.Pipes;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.Files.Tests;

public sealed class FileStreamSourceTaskTests : TempDirectoryTest
{
    private const string Topic = "connect-test";
    private static readonly TimeSpan s_shortWait = TimeSpan.FromMilliseconds(5);

    private readonly FakeOffsetStorageReader _offsets = new();

    private FileStreamSourceTask StartTask(string? file, int? batchSize = null, TimeSpan? wait = null, Func<Stream>? stdin = null)
    {
        var props = new Dictionary<string, string> { ["topic"] = Topic };
        if (file is not null)
        {
            props["file"] = file;
        }
        if (batchSize is not null)
        {
            props["batch.size"] = batchSize.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var task = new FileStreamSourceTask(TimeProvider.System, wait ?? s_shortWait, stdin);
        task.Initialize(new FakeSourceTaskContext(props, _offsets));
        task.Start(props);
        return task;
    }

    private static async Task<List<SourceRecord>> PollAsync(FileStreamSourceTask task) =>
        [.. await task.PollAsync(CancellationToken.None) ?? []];

    private static Dictionary<string, object?> Partition(string? file) => new() { ["filename"] = file };

    private static long Position(SourceRecord record) => (long)record.SourceOffset!["position"]!;

    [Fact]
    public async Task An_idle_poll_wakes_up_as_soon_as_the_file_grows()
    {
        var file = PathOf("grow.txt");
        await System.IO.File.WriteAllTextAsync(file, "");
        // An idle wait far longer than the guard below: only the change notification can end it in time.
        var task = StartTask(file, wait: TimeSpan.FromHours(1));

        var idle = task.PollAsync(CancellationToken.None).AsTask(); // reads nothing and starts waiting
        Assert.False(idle.IsCompleted);
        await System.IO.File.AppendAllTextAsync(file, "late\n");
        var first = await idle.WaitAsync(TimeSpan.FromSeconds(30));
        var records = first is { Count: > 0 } ? first : await task.PollAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["late"], records!.Select(r => (string)r.Value!));
        task.Stop();
    }

    [Fact]
    public async Task Emits_each_line_with_partition_offset_and_string_schema()
    {
        var file = PathOf("in.txt");
        await System.IO.File.WriteAllTextAsync(file, "aaa\nbbb\n");
        var task = StartTask(file);

        var records = await PollAsync(task);

        Assert.Equal(["aaa", "bbb"], records.Select(r => (string)r.Value!));
        Assert.All(records, r =>
        {
            Assert.Equal(Topic, r.Topic);
            Assert.Null(r.KafkaPartition);
            Assert.Null(r.Key);
            Assert.Null(r.KeySchema);
            Assert.Same(Schema.StringSchema, r.ValueSchema);
            Assert.False(r.ValueSchema!.IsOptional);
            Assert.Equal(Partition(file), r.SourcePartition!);
            Assert.NotNull(r.Timestamp);
        });
        Assert.Equal([4L, 8L], records.Select(Position));
        task.Stop();
    }

    [Fact]
    public async Task Lines_appended_later_arrive_on_later_polls()
    {
        var file = PathOf("grow.txt");
        await System.IO.File.WriteAllTextAsync(file, "first\n");
        var task = StartTask(file);
        Assert.Equal(["first"], (await PollAsync(task)).Select(r => (string)r.Value!));

        Assert.Empty(await PollAsync(task));

        await System.IO.File.AppendAllTextAsync(file, "second\nthird\n");
        var records = await PollAsync(task);
        Assert.Equal(["second", "third"], records.Select(r => (string)r.Value!));
        Assert.Equal([13L, 19L], records.Select(Position));
        task.Stop();
    }

    [Fact]
    public async Task Partial_last_line_is_held_back_until_its_newline_arrives()
    {
        var file = PathOf("partial.txt");
        await System.IO.File.WriteAllTextAsync(file, "done\nhal");
        var task = StartTask(file);

        Assert.Equal(["done"], (await PollAsync(task)).Select(r => (string)r.Value!));
        Assert.Empty(await PollAsync(task));

        await System.IO.File.AppendAllTextAsync(file, "f line");
        Assert.Empty(await PollAsync(task));

        await System.IO.File.AppendAllTextAsync(file, "\n");
        var records = await PollAsync(task);
        Assert.Equal("half line", Assert.Single(records).Value);
        Assert.Equal(15L, Position(records[0]));
        task.Stop();
    }

    [Fact]
    public async Task Handles_crlf_lone_cr_and_empty_lines()
    {
        var file = PathOf("crlf.txt");
        await System.IO.File.WriteAllTextAsync(file, "a\r\n\r\nb\rc\n\nd\r");
        var task = StartTask(file);

        var records = await PollAsync(task);

        // The trailing '\r' might be half of "\r\n", so "d" waits for the next byte.
        Assert.Equal(["a", "", "b", "c", ""], records.Select(r => (string)r.Value!));
        Assert.Equal([3L, 5L, 7L, 9L, 10L], records.Select(Position));

        await System.IO.File.AppendAllTextAsync(file, "\ne\n");
        records = await PollAsync(task);
        Assert.Equal(["d", "e"], records.Select(r => (string)r.Value!));
        Assert.Equal([13L, 15L], records.Select(Position));
        task.Stop();
    }

    [Fact]
    public async Task Positions_count_bytes_of_utf8_text()
    {
        var file = PathOf("utf8.txt");
        await System.IO.File.WriteAllTextAsync(file, "héllo\n日本\n", new UTF8Encoding(false));
        var task = StartTask(file);

        var records = await PollAsync(task);

        Assert.Equal(["héllo", "日本"], records.Select(r => (string)r.Value!));
        Assert.Equal([7L, 14L], records.Select(Position));
        task.Stop();
    }

    [Fact]
    public async Task Resumes_from_the_stored_offset()
    {
        var file = PathOf("resume.txt");
        await System.IO.File.WriteAllTextAsync(file, "aaa\nbbb\nccc\n");
        _offsets.Set(Partition(file), new Dictionary<string, object?> { ["position"] = 4L });
        var task = StartTask(file);

        var records = await PollAsync(task);

        Assert.Equal(["bbb", "ccc"], records.Select(r => (string)r.Value!));
        Assert.Equal([8L, 12L], records.Select(Position));
        task.Stop();
    }

    [Fact]
    public async Task Restart_after_the_last_record_reads_only_new_lines()
    {
        var file = PathOf("restart.txt");
        await System.IO.File.WriteAllTextAsync(file, "one\ntwo\n");
        var first = StartTask(file);
        var records = await PollAsync(first);
        first.Stop();
        _offsets.Set(records[^1].SourcePartition!, records[^1].SourceOffset);

        await System.IO.File.AppendAllTextAsync(file, "three\n");
        var second = StartTask(file);
        Assert.Equal(["three"], (await PollAsync(second)).Select(r => (string)r.Value!));
        second.Stop();
    }

    [Fact]
    public async Task Stored_offset_of_wrong_type_fails()
    {
        var file = PathOf("bad.txt");
        await System.IO.File.WriteAllTextAsync(file, "x\n");
        _offsets.Set(Partition(file), new Dictionary<string, object?> { ["position"] = "4" });
        var task = StartTask(file);

        await Assert.ThrowsAsync<ConnectException>(async () => await task.PollAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Splits_a_large_backlog_by_batch_size()
    {
        var file = PathOf("big.txt");
        var sb = new StringBuilder();
        for (var i = 0; i < 2500; i++)
        {
            sb.Append("line-").Append(i).Append('\n');
        }
        await System.IO.File.WriteAllTextAsync(file, sb.ToString());
        var task = StartTask(file, batchSize: 1000);

        var batches = new List<List<SourceRecord>>();
        for (var i = 0; i < 4; i++)
        {
            batches.Add(await PollAsync(task));
        }

        Assert.Equal([1000, 1000, 500, 0], batches.Select(b => b.Count));
        var all = batches.SelectMany(b => b).ToList();
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => $"line-{i}"), all.Select(r => (string)r.Value!));
        Assert.Equal(new FileInfo(file).Length, Position(all[^1]));
        task.Stop();
    }

    [Fact]
    public async Task Batch_of_one_drains_buffered_lines_without_new_data()
    {
        var file = PathOf("small-batch.txt");
        await System.IO.File.WriteAllTextAsync(file, "a\nb\nc\n");
        var task = StartTask(file, batchSize: 1);

        Assert.Equal("a", Assert.Single(await PollAsync(task)).Value);
        Assert.Equal("b", Assert.Single(await PollAsync(task)).Value);
        Assert.Equal("c", Assert.Single(await PollAsync(task)).Value);
        Assert.Empty(await PollAsync(task));
        task.Stop();
    }

    [Fact]
    public async Task Lines_longer_than_the_buffer_are_read_whole()
    {
        var file = PathOf("long.txt");
        var longLine = new string('x', 100_000);
        await System.IO.File.WriteAllTextAsync(file, longLine + "\nshort\n");
        var task = StartTask(file);

        var records = await PollAsync(task);

        Assert.Equal([longLine, "short"], records.Select(r => (string)r.Value!));
        task.Stop();
    }

    [Fact]
    public async Task Missing_file_is_waited_for_then_read_once_created()
    {
        var file = PathOf("later.txt");
        var task = StartTask(file);

        Assert.Empty(await PollAsync(task));
        Assert.Empty(await PollAsync(task));
        Assert.Equal(0, _offsets.Reads);

        await System.IO.File.WriteAllTextAsync(file, "hello\n");
        Assert.Equal("hello", Assert.Single(await PollAsync(task)).Value);
        task.Stop();
    }

    [Fact]
    public async Task Missing_directory_is_also_waited_for()
    {
        var file = Path.Combine(PathOf("sub"), "later.txt");
        var task = StartTask(file);

        Assert.Empty(await PollAsync(task));
        task.Stop();
    }

    [Fact]
    public async Task Truncated_file_keeps_the_read_position_like_apache()
    {
        // The seeds/001 tutorial: edit "ccc" into "ccc_update", delete that line, then append four lines.
        var file = PathOf("tutorial.txt");
        await System.IO.File.WriteAllTextAsync(file, "aaa\nbbb\nccc\n");
        var task = StartTask(file);
        Assert.Equal(["aaa", "bbb", "ccc"], (await PollAsync(task)).Select(r => (string)r.Value!));

        await RewriteInPlaceAsync(file, "aaa\nbbb\nccc_update\n");
        Assert.Equal(["update"], (await PollAsync(task)).Select(r => (string)r.Value!));

        await RewriteInPlaceAsync(file, "aaa\nbbb\n");
        Assert.Empty(await PollAsync(task));

        await System.IO.File.AppendAllTextAsync(file, "ddd\neee\nfff\nggg\n");
        Assert.Equal(["", "ggg"], (await PollAsync(task)).Select(r => (string)r.Value!));
        task.Stop();
    }

    [Fact]
    public async Task Stored_position_beyond_the_end_waits_for_the_file_to_grow_past_it()
    {
        var file = PathOf("stale.txt");
        await System.IO.File.WriteAllTextAsync(file, "hhh\n");
        _offsets.Set(Partition(file), new Dictionary<string, object?> { ["position"] = 24L });
        var task = StartTask(file);
        Assert.Empty(await PollAsync(task));

        await System.IO.File.AppendAllTextAsync(file, "iii\njjj\nkkk\nlll\nmmm\nnnn\nooo\n");
        Assert.Equal(["nnn", "ooo"], (await PollAsync(task)).Select(r => (string)r.Value!));
        task.Stop();
    }

    [Fact]
    public async Task Idle_wait_is_cancelled_by_the_poll_token()
    {
        var file = PathOf("idle.txt");
        await System.IO.File.WriteAllTextAsync(file, "");
        var task = StartTask(file, wait: TimeSpan.FromHours(1));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var watch = Stopwatch.StartNew();
        var records = await task.PollAsync(cts.Token);

        Assert.True(records is null || records.Count == 0);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
        task.Stop();
    }

    [Fact]
    public async Task Stop_wakes_a_waiting_poll()
    {
        var task = StartTask(PathOf("never.txt"), wait: TimeSpan.FromHours(1));
        var poll = task.PollAsync(CancellationToken.None).AsTask();
        await Task.Delay(20);

        task.Stop();

        var completed = await Task.WhenAny(poll, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(poll, completed);
        Assert.Null(await poll);
        Assert.Null(await task.PollAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Reads_standard_input_without_positions()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var task = StartTask(file: null, wait: TimeSpan.FromMilliseconds(200), stdin: () => client);

        Assert.Empty(await PollAsync(task));
        await server.WriteAsync("x\r\ny\n"u8.ToArray());
        await server.FlushAsync();

        var records = new List<SourceRecord>();
        for (var i = 0; i < 50 && records.Count < 2; i++)
        {
            records.AddRange(await PollAsync(task));
        }

        Assert.Equal(["x", "y"], records.Select(r => (string)r.Value!));
        Assert.All(records, r =>
        {
            Assert.Equal(Partition(null), r.SourcePartition!);
            Assert.Null(r.SourceOffset!["position"]);
        });
        task.Stop();
    }

    [Fact]
    public void Start_rejects_invalid_configurations()
    {
        var task = new FileStreamSourceTask();
        Assert.Throws<ConfigException>(() => task.Start(new Dictionary<string, string>()));
        Assert.Throws<ConfigException>(() => task.Start(new Dictionary<string, string> { ["topic"] = "a,b" }));
        Assert.Throws<ConfigException>(() => task.Start(new Dictionary<string, string> { ["topic"] = "a", ["batch.size"] = "0" }));
    }

    // Overwrites the same inode (as an in-place editor save or `>` redirection does), unlike File.WriteAllText's replace.
    private static async Task RewriteInPlaceAsync(string file, string content)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        stream.SetLength(0);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(content));
    }
}
