using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Protobuf.Tests;

/// <summary>A schema registered as Confluent's Python serializer registers it, through the converter (the descriptor reading itself is KafkaConnect.Schemas.Tests').</summary>
public sealed class PythonDescriptorTests
{
    // What Confluent's Python serializer registers for this file (base64 of the FileDescriptorProto python3-protobuf
    // built from protoc's output):
    //   package shop; import "google/protobuf/timestamp.proto";
    //   message Basket { int32 id = 1; map<string, int64> counts = 2; repeated Item items = 3; Colour colour = 4;
    //     oneof contact { string email = 5; sint32 phone = 6; } google.protobuf.Timestamp at = 7; optional string note = 8;
    //     message Item { string sku = 1; double price = 2; } enum Colour { RED = 0; BLUE = 1; } }
    private const string BasketDescriptor =
        "CgpzaG9wLnByb3RvEgRzaG9wGh9nb29nbGUvcHJvdG9idWYvdGltZXN0YW1wLnByb3RvIuYCCgZCYXNrZXQSCgoCaWQYASABKAUSKAoGY291bnRzGAIgAygLMhguc2hvcC5CYXNrZXQuQ291bnRzRW50cnkSIAoFaXRlbXMYAyADKAsyES5zaG9wLkJhc2tldC5JdGVtEiMKBmNvbG91chgEIAEoDjITLnNob3AuQmFza2V0LkNvbG91chIPCgVlbWFpbBgFIAEoCUgAEg8KBXBob25lGAYgASgRSAASJgoCYXQYByABKAsyGi5nb29nbGUucHJvdG9idWYuVGltZXN0YW1wEhEKBG5vdGUYCCABKAlIAYgBARotCgtDb3VudHNFbnRyeRILCgNrZXkYASABKAkSDQoFdmFsdWUYAiABKAM6AjgBGiIKBEl0ZW0SCwoDc2t1GAEgASgJEg0KBXByaWNlGAIgASgBIhsKBkNvbG91chIHCgNSRUQQABIICgRCTFVFEAFCCQoHY29udGFjdEIHCgVfbm90ZWIGcHJvdG8z";

    // Basket(id=7, counts={x: 3}, items=[Item(sku=A, price=1.5)], colour=BLUE, phone=-2,
    //        at=1700000000 s + 5 ms, note="n"), serialized by python3-protobuf.
    private const string BasketBytes = "080712050a017810031a0c0a014111000000000000f83f200130033a0b0880e2cfaa0610c096b10242016e";

    [Fact]
    public void A_base64_descriptor_parses_like_the_text_and_decodes_python_bytes()
    {
        var file = ProtoSchemaParser.Parse(BasketDescriptor);
        var message = file.Messages[0];
        Assert.Equal("shop.Basket", message.FullName);
        Assert.Equal(["contact", "_note"], message.Oneofs.Select(o => o.Name));
        Assert.True(message.Oneofs[1].Synthetic);

        var data = new ProtobufData(new ProtobufDataConfig());
        var schema = data.ToConnectSchema(message);
        Assert.Equal(["contact_0", "id", "counts", "items", "colour", "at", "note"], schema.Fields.Select(f => f.Name));

        var value = data.Read(Convert.FromHexString(BasketBytes), data.Plan(message, schema));
        Assert.Equal(7, value.Get("id"));
        Assert.Equal(3L, ((IDictionary<object, object?>)value.Get("counts")!)["x"]);
        var item = (Struct)((IList<object?>)value.Get("items")!)[0]!;
        Assert.Equal("A", item.Get("sku"));
        Assert.Equal(1.5, item.Get("price"));
        Assert.Equal("BLUE", value.Get("colour"));
        Assert.Equal(-2, ((Struct)value.Get("contact_0")!).Get("phone"));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_005), value.Get("at"));
        Assert.Equal("n", value.Get("note"));

        // Written back through the same plan, the bytes are python's to the byte.
        var writer = ProtoWriter.Rent();
        data.Write(writer, data.Plan(message, schema), value);
        Assert.Equal(BasketBytes, Convert.ToHexString(writer.Written).ToLowerInvariant());
        ProtoWriter.Return(writer);
    }
}
