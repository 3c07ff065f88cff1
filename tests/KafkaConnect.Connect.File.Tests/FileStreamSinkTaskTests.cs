using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Sinks;

namespace KafkaConnect.Connect.Files.Tests;

public sealed class FileStreamSinkTaskTests : TempDirectoryTest
{
    private static readonly TopicPartition s_partition = new("connect-test", 0);

    private static FileStreamSinkTask StartTask(string? file, Func<Stream>? stdout = null)
    {
        var props = new Dictionary<string, string> { ["topics"] = "connect-test" };
        if (file is not null)
        {
            props["file"] = file;
        }
        var task = new FileStreamSinkTask(stdout);
        task.Initialize(new FakeSinkTaskContext(props));
        task.Start(props);
        return task;
    }

    private static SinkRecord Record(object? value, long offset, Schema? schema = null) =>
        new("connect-test", 0, null, null, schema ?? Schema.OptionalStringSchema, value, offset);

    private static Dictionary<TopicPartition, OffsetAndMetadata> Offsets(long next) => new() { [s_partition] = new(next) };

    [Fact]
    public void Writes_values_as_lines_and_flush_makes_them_visible()
    {
        var file = PathOf("out.txt");
        var task = StartTask(file);

        task.Put([Record("aaa", 0), Record("bbb", 1)]);
        task.Put([]);
        task.Flush(Offsets(2));

        Assert.Equal($"aaa{Environment.NewLine}bbb{Environment.NewLine}", System.IO.File.ReadAllText(file));
        task.Stop();
    }

    [Fact]
    public void Put_hands_lines_to_the_os_and_precommit_flushes()
    {
        var file = PathOf("buffered.txt");
        var task = StartTask(file);

        // Visible to readers right after Put (no wait for offset.flush.interval.ms); PreCommit adds the fsync.
        task.Put([Record("pending", 0)]);
        Assert.Equal("pending" + Environment.NewLine, System.IO.File.ReadAllText(file));

        var committed = task.PreCommit(Offsets(1));
        Assert.Equal(Offsets(1), committed);
        Assert.Equal("pending" + Environment.NewLine, System.IO.File.ReadAllText(file));
        task.Stop();
    }

    [Fact]
    public void Appends_to_an_existing_file()
    {
        var file = PathOf("existing.txt");
        System.IO.File.WriteAllText(file, "old\n");
        var task = StartTask(file);

        task.Put([Record("new", 0)]);
        task.Stop();

        Assert.Equal("old\nnew" + Environment.NewLine, System.IO.File.ReadAllText(file));
    }

    [Fact]
    public void Writes_java_style_string_forms()
    {
        var schema = SchemaBuilder.Struct().Field("id", Schema.Int32Schema).Field("name", Schema.StringSchema).Build();
        var file = PathOf("forms.txt");
        var task = StartTask(file);

        task.Put([
            Record(null, 0),
            Record(42L, 1, Schema.Int64Schema),
            Record(true, 2, Schema.BooleanSchema),
            Record(1.0, 3, Schema.Float64Schema),
            Record(new Struct(schema).Put("id", 7).Put("name", "x"), 4, schema),
            Record(new List<object?> { 1, "a" }, 5, null),
            Record(new Dictionary<object, object?> { ["k"] = 1L }, 6, null),
            Record("ünïcode", 7),
        ]);
        task.Stop();

        var expected = new[] { "null", "42", "true", "1.0", "Struct{id=7,name=x}", "[1, a]", "{k=1}", "ünïcode" };
        Assert.Equal(expected, System.IO.File.ReadAllLines(file));
    }

    [Fact]
    public void Writes_to_standard_output_when_no_file_is_set()
    {
        var stdout = new MemoryStream();
        var task = StartTask(file: null, stdout: () => stdout);

        task.Put([Record("to stdout", 0)]);
        task.Flush(Offsets(1));

        Assert.Equal("to stdout" + Environment.NewLine, System.Text.Encoding.UTF8.GetString(stdout.ToArray()));
        task.Stop();
    }

    [Fact]
    public void Unwritable_destination_fails_start()
    {
        var task = new FileStreamSinkTask();
        var props = new Dictionary<string, string> { ["file"] = Path.Combine(PathOf("missing-dir"), "out.txt") };

        var error = Assert.Throws<ConnectException>(() => task.Start(props));
        Assert.Contains("Couldn't find or create file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stop_flushes_and_is_idempotent()
    {
        var file = PathOf("stop.txt");
        var task = StartTask(file);
        task.Put([Record("last", 0)]);

        task.Stop();
        task.Stop();

        Assert.Equal("last" + Environment.NewLine, System.IO.File.ReadAllText(file));
    }
}
