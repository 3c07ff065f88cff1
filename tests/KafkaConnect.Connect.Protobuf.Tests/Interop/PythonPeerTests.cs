using System.Diagnostics;
using System.Text.Json;
using KafkaConnect.Connect.Data;
using KafkaConnect.SchemaRegistry.Tests;
using KafkaConnect.Schemas.Protobuf;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Protobuf.Tests;

/// <summary>
/// python3-confluent-kafka's ProtobufSerializer and ProtobufDeserializer with Debian's python3-protobuf, on classes
/// protoc generates in the test, through our registry: a Protobuf implementation nobody here wrote. protoc, python3 or
/// a module missing fails the test (scripts/test.sh installs protobuf-compiler and python3-protobuf).
/// </summary>
public sealed class PythonPeerTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kc-proto-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Schema ItemSchema = SchemaBuilder.Struct().Name("Item")
        .Field("sku", Schema.StringSchema).Field("price", Schema.Float64Schema).Build();

    private static readonly Schema OrderSchema = SchemaBuilder.Struct().Name("shop.Order")
        .Field("id", Schema.Int32Schema)
        .Field("small", Schema.Int8Schema)
        .Field("name", Schema.OptionalStringSchema)
        .Field("amount", ConnectDecimal.Schema(2))
        .Field("created", Timestamp.Schema)
        .Field("day", Date.Schema)
        .Field("at", Time.Schema)
        .Field("tags", SchemaBuilder.Array(Schema.StringSchema).Build())
        .Field("counts", SchemaBuilder.Map(Schema.StringSchema, Schema.Int64Schema).Build())
        .Field("item", ItemSchema)
        .Field("ok", Schema.BooleanSchema)
        .Build();

    private ProtobufConverter Converter()
    {
        var converter = new ProtobufConverter();
        // Our registry does not know Confluent's known types by name: register them as references, as
        // Confluent's serializer does with skip.known.types=false.
        converter.Configure(new Dictionary<string, string> { ["schema.registry.url"] = fixture.Url, ["skip.known.types"] = "false" }, isKey: false);
        return converter;
    }

    [Fact]
    public void What_our_converter_writes_pythons_ProtobufDeserializer_reads_field_for_field()
    {
        var topic = "pb-out-" + Guid.NewGuid().ToString("N")[..8];
        var converter = Converter();
        var value = new Struct(OrderSchema)
            .Put("id", 42)
            .Put("small", (sbyte)-7)
            .Put("name", "Ann")
            .Put("amount", -12.34m)
            .Put("created", new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero))
            .Put("day", new DateOnly(2024, 2, 29))
            .Put("at", new TimeOnly(13, 14, 15, 16))
            .Put("tags", new List<object?> { "a", "b" })
            .Put("counts", new Dictionary<object, object?> { ["x"] = 3L })
            .Put("item", new Struct(ItemSchema).Put("sku", "A1").Put("price", 9.5))
            .Put("ok", true);
        var bytes = converter.FromConnectData(topic, null, OrderSchema, value)!;

        // The class python reads with comes from the text we registered, compiled by protoc.
        File.WriteAllText(Path.Combine(_dir, "order.proto"), converter.ProtoSchemaFor(OrderSchema));
        foreach (var (name, source) in KnownProtos.Sources)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_dir, name))!);
            File.WriteAllText(Path.Combine(_dir, name), source);
        }
        Run("protoc", "-I", _dir, "-I", "/usr/include", "--python_out", _dir, "order.proto",
            KnownProtos.Meta, KnownProtos.Decimal, KnownProtos.Date, KnownProtos.TimeOfDay);
        var json = JsonDocument.Parse(Python("read", "order_pb2", "Order", Convert.ToHexString(bytes))).RootElement;

        Assert.Equal(42, json.GetProperty("id").GetInt32());
        Assert.Equal(-7, json.GetProperty("small").GetInt32());
        Assert.Equal("Ann", json.GetProperty("name").GetString());
        var amount = json.GetProperty("amount");
        Assert.Equal(-1234, (int)ConnectDecimal.ToUnscaled(Convert.FromBase64String(amount.GetProperty("value").GetString()!)));
        Assert.Equal(2, amount.GetProperty("scale").GetInt32());
        Assert.Equal(4, amount.GetProperty("precision").GetInt32());
        Assert.Equal("2024-01-02T03:04:05.678Z", json.GetProperty("created").GetString());
        Assert.Equal("""{"year":2024,"month":2,"day":29}""", json.GetProperty("day").GetRawText());
        Assert.Equal("""{"hours":13,"minutes":14,"seconds":15,"nanos":16000000}""", json.GetProperty("at").GetRawText());
        Assert.Equal("""["a","b"]""", json.GetProperty("tags").GetRawText());
        Assert.Equal("""{"x":"3"}""", json.GetProperty("counts").GetRawText());
        Assert.Equal("""{"sku":"A1","price":9.5}""", json.GetProperty("item").GetRawText());
        Assert.True(json.GetProperty("ok").GetBoolean());
    }

    private const string BasketProto = """
        syntax = "proto3";
        package shop;

        message Basket {
          int32 id = 1;
          map<string, int64> counts = 2;
          repeated Item items = 3;
          Colour colour = 4;
          oneof contact {
            string email = 5;
            sint32 phone = 6;
          }
          optional string note = 8;
          repeated sint64 deltas = 9;
          fixed32 code = 10;
          bytes raw = 11;
          float ratio = 12;

          message Item {
            string sku = 1;
            double price = 2;
          }
          enum Colour {
            RED = 0;
            BLUE = 1;
          }
        }
        """;

    [Fact]
    public void What_pythons_ProtobufSerializer_writes_our_converter_reads_field_for_field()
    {
        var topic = "pb-in-" + Guid.NewGuid().ToString("N")[..8];
        var proto = Path.Combine(_dir, "basket.proto");
        File.WriteAllText(proto, BasketProto);
        Run("protoc", "-I", _dir, "--python_out", _dir, "basket.proto");
        const string spec = """
            {"id": 7, "counts": {"x": "3", "y": "0"}, "items": [{"sku": "A", "price": 1.5}, {"sku": "B"}],
             "colour": "BLUE", "phone": -2, "note": "", "deltas": ["-1", "300"], "code": 4000000000, "raw": "AAEC",
             "ratio": 0.25}
            """;
        var hex = Python("write", "basket_pb2", "Basket", fixture.Url, topic, proto, spec).Trim();

        var result = Converter().ToConnectData(topic, null, Convert.FromHexString(hex));

        var value = Assert.IsType<Struct>(result.Value);
        Assert.Equal("Basket", result.Schema!.Name);
        Assert.Equal(7, value.Get("id"));
        Assert.Equal(new Dictionary<object, object?> { ["x"] = 3L, ["y"] = 0L }, value.Get("counts"));
        var items = (IList<object?>)value.Get("items")!;
        Assert.Equal("A", ((Struct)items[0]!).Get("sku"));
        Assert.Equal(1.5, ((Struct)items[0]!).Get("price"));
        Assert.Equal(0.0, ((Struct)items[1]!).Get("price"));
        Assert.Equal("BLUE", value.Get("colour"));
        Assert.Equal(-2, ((Struct)value.Get("contact_0")!).Get("phone"));
        Assert.Null(((Struct)value.Get("contact_0")!).Get("email"));
        Assert.Equal("", value.Get("note")); // proto3 optional, set to "" explicitly: present
        Assert.Equal(new List<object?> { -1L, 300L }, value.Get("deltas"));
        Assert.Equal(4_000_000_000L, value.Get("code"));
        Assert.Equal(new byte[] { 0, 1, 2 }, value.Get("raw"));
        Assert.Equal(0.25f, value.Get("ratio"));
    }

    private string Python(params string[] args) => Run("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "python", "protobuf_peer.py"), args[0], _dir, .. args[1..]]);

    private static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {stderr}");
        return stdout.Result;
    }
}
