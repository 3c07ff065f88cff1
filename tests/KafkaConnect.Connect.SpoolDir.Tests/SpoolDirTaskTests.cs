using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Files.Tests;
using KafkaConnect.Connect.Sources;

namespace KafkaConnect.Connect.SpoolDir.Tests;

public sealed class SpoolDirTaskTests : TempDirectoryTest
{
    private readonly FakeOffsetStorageReader _offsets = new();

    private string Input => Dir("input");
    private string Finished => Dir("finished");
    private string Error => Dir("error");

    private string Dir(string name)
    {
        var path = PathOf(name);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    private Dictionary<string, string> Config(params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string>
        {
            ["topic"] = "spooldir-topic",
            ["input.path"] = Input,
            ["finished.path"] = Finished,
            ["error.path"] = Error,
            ["input.file.pattern"] = @".*\.csv",
            ["csv.first.row.as.header"] = "true",
            ["schema.generation.enabled"] = "true",
            ["halt.on.error"] = "false",
        };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }
        return config;
    }

    private T Start<T>(Dictionary<string, string> config) where T : SpoolDirSourceTask, new()
    {
        var task = new T();
        task.Initialize(new FakeSourceTaskContext(config, _offsets));
        task.Start(config);
        return task;
    }

    private static async Task<List<SourceRecord>> DrainAsync(SpoolDirSourceTask task, int polls = 10)
    {
        var all = new List<SourceRecord>();
        for (var i = 0; i < polls; i++)
        {
            var batch = await task.PollAsync(CancellationToken.None);
            if (batch is null)
            {
                break;
            }
            all.AddRange(batch);
        }
        return all;
    }

    private static void Ack(SpoolDirSourceTask task, IEnumerable<SourceRecord> records)
    {
        foreach (var record in records)
        {
            task.CommitRecord(record, null);
        }
    }

    [Fact]
    public async Task Csv_with_a_header_becomes_structs_of_a_generated_schema_and_moves_only_after_every_record_is_acknowledged()
    {
        File.WriteAllText(Path.Combine(Input, "orders.csv"), "id,product,qty\n1,apple,3\n2,\"pear, green\",5\n");
        var task = Start<SpoolDirCsvSourceTask>(Config(("schema.generation.key.fields", "id")));

        var records = await DrainAsync(task);

        Assert.Equal(2, records.Count);
        var value = Assert.IsType<Struct>(records[1].Value);
        Assert.Equal("pear, green", value.GetString("product"));
        Assert.Equal("5", value.GetString("qty"));
        Assert.Equal("com.github.jcustenborder.kafka.connect.model.Value", records[1].ValueSchema!.Name);
        Assert.All(records[1].ValueSchema!.Fields, f => Assert.Equal(Schema.OptionalStringSchema, f.Schema));
        Assert.Equal("2", Assert.IsType<Struct>(records[1].Key).GetString("id"));
        Assert.Equal("orders.csv", records[1].SourcePartition!["fileName"]);
        Assert.Equal(2L, records[1].SourceOffset!["offset"]);
        Assert.Equal("orders.csv", records[1].Headers.LastWithName("file.name")!.Value);
        Assert.Equal(2L, records[1].Headers.LastWithName("file.offset")!.Value);

        // Read to the end but not yet in Kafka: the file stays, flagged, so a crash now re-reads it.
        Assert.True(File.Exists(Path.Combine(Input, "orders.csv")));
        Assert.True(File.Exists(Path.Combine(Input, "orders.csv.PROCESSING")));
        Ack(task, records.Take(1));
        await task.PollAsync(CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(Input, "orders.csv")));

        Ack(task, records.Skip(1));
        await task.PollAsync(CancellationToken.None);
        Assert.False(File.Exists(Path.Combine(Input, "orders.csv")));
        Assert.False(File.Exists(Path.Combine(Input, "orders.csv.PROCESSING")));
        Assert.True(File.Exists(Path.Combine(Finished, "orders.csv")));
        task.Stop();
    }

    [Fact]
    public async Task A_restart_resumes_after_the_committed_offset_and_a_new_file_of_the_same_name_starts_over()
    {
        var path = Path.Combine(Input, "a.csv");
        File.WriteAllText(path, "n\n1\n2\n3\n4\n");
        var partition = new Dictionary<string, object?> { ["fileName"] = "a.csv" };
        // An offset as the Java connector writes it: only the record count.
        _offsets.Set(partition, new Dictionary<string, object?> { ["offset"] = 2L });
        var task = Start<SpoolDirCsvSourceTask>(Config());
        var resumed = await DrainAsync(task);
        Assert.Equal(["3", "4"], resumed.Select(r => ((Struct)r.Value!).GetString("n")));
        task.Stop();

        // Ours also records the file's length and time: a later file with the same name is read from its start.
        _offsets.Set(partition, new Dictionary<string, object?> { ["offset"] = 2L, ["file.length"] = 999L, ["file.last.modified"] = 1L });
        task = Start<SpoolDirCsvSourceTask>(Config());
        var fresh = await DrainAsync(task);
        Assert.Equal(["1", "2", "3", "4"], fresh.Select(r => ((Struct)r.Value!).GetString("n")));
        task.Stop();
    }

    [Fact]
    public async Task A_malformed_file_goes_to_error_path_after_its_good_rows_and_the_next_file_is_read()
    {
        var schema = """{"name":"com.example.Order","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false},"qty":{"type":"INT32","isOptional":true}}}""";
        var key = """{"name":"com.example.OrderKey","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false}}}""";
        File.WriteAllText(Path.Combine(Input, "1-bad.csv"), "id,qty\n1,10\n2,ten\n3,30\n");
        File.WriteAllText(Path.Combine(Input, "2-good.csv"), "id,qty\n4,40\n");
        var task = Start<SpoolDirCsvSourceTask>(Config(("schema.generation.enabled", "false"), ("value.schema", schema), ("key.schema", key)));

        var first = await task.PollAsync(CancellationToken.None);
        var good = Assert.Single(first!);
        Assert.Equal(1L, ((Struct)good.Value!).GetInt64("id"));
        Assert.Equal(10, ((Struct)good.Value!).GetInt32("qty"));
        Ack(task, first!);

        var second = await DrainAsync(task);
        Assert.Equal(4L, ((Struct)Assert.Single(second).Value!).GetInt64("id"));
        Assert.True(File.Exists(Path.Combine(Error, "1-bad.csv")));
        Assert.False(File.Exists(Path.Combine(Input, "1-bad.csv")));
        Ack(task, second);
        await task.PollAsync(CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(Finished, "2-good.csv")));
        task.Stop();
    }

    [Fact]
    public async Task Halt_on_error_stops_the_task_with_the_file_and_the_reason()
    {
        File.WriteAllText(Path.Combine(Input, "bad.csv"), "id\n1\n\"unclosed\n");
        var schema = """{"type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false}}}""";
        var task = Start<SpoolDirCsvSourceTask>(Config(("halt.on.error", "true"), ("schema.generation.enabled", "false"),
            ("value.schema", schema), ("key.schema", """{"type":"STRUCT","isOptional":false,"fieldSchemas":{}}""")));
        var first = await task.PollAsync(CancellationToken.None);
        Assert.Single(first!);
        var e = await Assert.ThrowsAsync<ConnectException>(async () => await task.PollAsync(CancellationToken.None));
        Assert.Contains("bad.csv", e.Message, StringComparison.Ordinal);
        Assert.Contains("halt.on.error", e.Message, StringComparison.Ordinal);
        task.Stop();
    }

    [Fact]
    public async Task Typed_schema_parses_numbers_decimals_and_timestamps_and_timestamp_mode_field_sets_the_record_time()
    {
        var schema = """
            {"name":"com.example.users.User","type":"STRUCT","isOptional":false,"fieldSchemas":{
              "id":{"type":"INT64","isOptional":false},
              "last_login":{"name":"org.apache.kafka.connect.data.Timestamp","type":"INT64","version":1,"isOptional":false},
              "account_balance":{"name":"org.apache.kafka.connect.data.Decimal","type":"BYTES","version":1,"parameters":{"scale":"2"},"isOptional":true},
              "active":{"type":"BOOLEAN","isOptional":true}}}
            """;
        var key = """{"name":"com.example.users.UserKey","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false}}}""";
        File.WriteAllText(Path.Combine(Input, "users.csv"), "id,last_login,account_balance,active\n7,2015-09-30 15:29:03,347.7,true\n8,2016-01-01T00:00:00,,\n");
        var task = Start<SpoolDirCsvSourceTask>(Config(("schema.generation.enabled", "false"), ("value.schema", schema), ("key.schema", key),
            ("timestamp.mode", "FIELD"), ("timestamp.field", "last_login"), ("parser.timestamp.timezone", "Europe/Berlin")));

        var records = await DrainAsync(task);

        var first = (Struct)records[0].Value!;
        Assert.Equal(347.70m, first.Get("account_balance"));
        Assert.Equal("347.70", ((decimal)first.Get("account_balance")!).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new DateTimeOffset(2015, 9, 30, 13, 29, 3, TimeSpan.Zero), first.Get("last_login"));
        Assert.Equal(new DateTimeOffset(2015, 9, 30, 13, 29, 3, TimeSpan.Zero).ToUnixTimeMilliseconds(), records[0].Timestamp);
        Assert.Equal(true, first.Get("active"));
        Assert.Equal(7L, ((Struct)records[0].Key!).Get("id"));
        var second = (Struct)records[1].Value!;
        Assert.Null(second.Get("account_balance"));
        Assert.Null(second.Get("active"));
        task.Stop();
    }

    [Fact]
    public async Task Line_delimited_schemaless_json_and_json_files_become_records()
    {
        File.WriteAllText(Path.Combine(Input, "log.txt"), "first line\nsecond, with comma\n");
        var lines = Start<SpoolDirLineDelimitedSourceTask>(Config(("input.file.pattern", @".*\.txt")));
        Assert.Equal(["first line", "second, with comma"], (await DrainAsync(lines)).Select(r => (string)r.Value!));
        lines.Stop();

        File.WriteAllText(Path.Combine(Input, "events.json"), "{\"a\": 1, \"b\": [1, 2]}\n{\"a\":\"é\"}   {\"c\":null}");
        var raw = Start<SpoolDirSchemaLessJsonSourceTask>(Config(("input.file.pattern", @".*\.json")));
        Assert.Equal(["{\"a\":1,\"b\":[1,2]}", "{\"a\":\"é\"}", "{\"c\":null}"], (await DrainAsync(raw)).Select(r => (string)r.Value!));
        raw.Stop();

        File.WriteAllText(Path.Combine(Input, "users.jsonl"), "{\"id\": 1, \"name\": \"ann\"}\n{\"id\": 2, \"name\": null}\n");
        var json = Start<SpoolDirJsonSourceTask>(Config(("input.file.pattern", @".*\.jsonl"), ("schema.generation.key.fields", "id")));
        var records = await DrainAsync(json);
        Assert.Equal(["1", "2"], records.Select(r => ((Struct)r.Value!).GetString("id")));
        Assert.Null(((Struct)records[1].Value!).GetString("name"));
        Assert.Equal("1", ((Struct)records[0].Key!).GetString("id"));
        json.Stop();
    }

    [Fact]
    public async Task A_file_matching_only_part_of_the_pattern_is_not_read_and_files_come_in_name_order()
    {
        File.WriteAllText(Path.Combine(Input, "b.csv"), "x\nb\n");
        File.WriteAllText(Path.Combine(Input, "a.csv"), "x\na\n");
        File.WriteAllText(Path.Combine(Input, "a.csv.bak"), "x\nnot me\n");
        var task = Start<SpoolDirCsvSourceTask>(Config());
        var records = await DrainAsync(task);
        Assert.Equal(["a", "b"], records.Select(r => ((Struct)r.Value!).GetString("x")));
        task.Stop();
    }

    [Fact]
    public async Task Quotes_escape_with_a_backslash_as_opencsv_by_default_and_other_separators_work()
    {
        File.WriteAllText(Path.Combine(Input, "q.csv"), "a,b\n\"say \\\"hi\\\"\",  x\n");
        var task = Start<SpoolDirCsvSourceTask>(Config());
        var row = (Struct)Assert.Single(await DrainAsync(task)).Value!;
        Assert.Equal("say \"hi\"", row.GetString("a"));
        Assert.Equal("x", row.GetString("b"));
        task.Stop();

        File.WriteAllText(Path.Combine(Input, "t.csv"), "a\tb\n1\t\"two\"\n");
        task = Start<SpoolDirCsvSourceTask>(Config(("csv.separator.char", "9")));
        row = (Struct)Assert.Single(await DrainAsync(task)).Value!;
        Assert.Equal(("1", "two"), (row.GetString("a"), row.GetString("b")));
        task.Stop();
    }

    [Fact]
    public async Task A_path_like_pattern_as_in_seed_004_matches_the_path_below_input_path()
    {
        File.WriteAllText(Path.Combine(Input, "a.csv"), "x\na\n");
        File.WriteAllText(Path.Combine(Input, "a.txt"), "x\nnot me\n");
        var task = Start<SpoolDirCsvSourceTask>(Config(("input.file.pattern", @"/.*\.csv")));
        Assert.Equal(["a"], (await DrainAsync(task)).Select(r => ((Struct)r.Value!).GetString("x")));
        task.Stop();
    }

    [Fact]
    public async Task A_processing_flag_left_by_a_killed_run_is_cleared_and_the_file_read_again()
    {
        File.WriteAllText(Path.Combine(Input, "a.csv"), "x\n1\n");
        File.WriteAllText(Path.Combine(Input, "a.csv.PROCESSING"), string.Empty);
        var task = Start<SpoolDirCsvSourceTask>(Config());
        Assert.Single(await DrainAsync(task));
        task.Stop();
    }

    [Fact]
    public void Tasks_split_files_by_the_java_connectors_adler32_of_the_name()
    {
        // zlib.adler32("abc".encode("utf-16-le")) == 77201703 and, for the second name, 2398488097 (negative as a Java int).
        Assert.Equal(77201703 % 1000, InputFiles.Owner("abc", 1000));
        Assert.Equal((int)(Math.Abs(unchecked((int)2398488097u)) % 7), InputFiles.Owner("orders-2026-12-03.csv", 7));
    }

    [Fact]
    public void Missing_or_unwritable_directories_fail_the_start_with_the_key_and_path()
    {
        var config = Config();
        config["error.path"] = Path.Combine(Directory, "nope");
        var task = new SpoolDirCsvSourceTask();
        task.Initialize(new FakeSourceTaskContext(config, _offsets));
        var e = Assert.Throws<ConnectException>(() => task.Start(config));
        Assert.Contains("'error.path'", e.Message, StringComparison.Ordinal);
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }
}
