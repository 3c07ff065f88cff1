namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>
/// A PROTOBUF schema sent as a base64 FileDescriptorProto, as Confluent's Python and Go serializers register it: kept
/// as its canonical .proto text (the text's own tests are KafkaConnect.Schemas.Tests' DescriptorReaderTests).
/// </summary>
public sealed class ProtobufDescriptorTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    // protoc 3.21 --descriptor_set_out of (proto3, package shop, import google/protobuf/timestamp.proto)
    // message Basket { int32 id = 1; map<string, int64> counts = 2; repeated Item items = 3; Colour colour = 4;
    //   oneof contact { string email = 5; sint32 phone = 6; } google.protobuf.Timestamp at = 7; optional string note = 8; ... }
    private const string ShopDescriptor =
        "CgpzaG9wLnByb3RvEgRzaG9wGh9nb29nbGUvcHJvdG9idWYvdGltZXN0YW1wLnByb3RvIrcDCgZCYXNrZXQSDgoCaWQYASABKAVSAmlkEjAKBmNvdW50cxgCIAMoCzIYLnNob3AuQmFza2V0LkNvdW50c0VudHJ5UgZjb3VudHMSJwoFaXRlbXMYAyADKAsyES5zaG9wLkJhc2tldC5JdGVtUgVpdGVtcxIrCgZjb2xvdXIYBCABKA4yEy5zaG9wLkJhc2tldC5Db2xvdXJSBmNvbG91chIWCgVlbWFpbBgFIAEoCUgAUgVlbWFpbBIWCgVwaG9uZRgGIAEoEUgAUgVwaG9uZRIqCgJhdBgHIAEoCzIaLmdvb2dsZS5wcm90b2J1Zi5UaW1lc3RhbXBSAmF0EhcKBG5vdGUYCCABKAlIAVIEbm90ZYgBARo5CgtDb3VudHNFbnRyeRIQCgNrZXkYASABKAlSA2tleRIUCgV2YWx1ZRgCIAEoA1IFdmFsdWU6AjgBGi4KBEl0ZW0SEAoDc2t1GAEgASgJUgNza3USFAoFcHJpY2UYAiABKAFSBXByaWNlIhsKBkNvbG91chIHCgNSRUQQABIICgRCTFVFEAFCCQoHY29udGFjdEIHCgVfbm90ZUoECAoQDUISChBjb20uZXhhbXBsZS5zaG9wYgZwcm90bzM=";

    // protoc of: syntax = "proto3"; package shop; import "shop.proto"; message Order { string id = 1; Basket basket = 2; }
    private const string OrderDescriptor =
        "CgtvcmRlci5wcm90bxIEc2hvcBoKc2hvcC5wcm90byI9CgVPcmRlchIOCgJpZBgBIAEoCVICaWQSJAoGYmFza2V0GAIgASgLMgwuc2hvcC5CYXNrZXRSBmJhc2tldGIGcHJvdG8z";

    private static string Subject(string name) => name + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<int> RegisterAsync(string subject, string schema, string? references = null)
    {
        var (status, body, text) = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{subject}/versions", Http.SchemaBody(schema, "PROTOBUF", references));
        Assert.True(status == 200, text);
        return body.GetProperty("id").GetInt32();
    }

    [Fact]
    public async Task A_descriptor_is_stored_as_text_and_gets_the_id_of_that_text()
    {
        var id = await RegisterAsync(Subject("b64"), ShopDescriptor);
        var (_, _, text) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/schemas/ids/{id}/schema");
        Assert.StartsWith("syntax = \"proto3\";\npackage shop;\n\nimport \"google/protobuf/timestamp.proto\";\n", text, StringComparison.Ordinal);
        Assert.Contains("\n  repeated .shop.Basket.CountsEntry counts = 2 [json_name = \"counts\"];\n", text, StringComparison.Ordinal);

        // The same schema as that text, and as the descriptor again, under other subjects: the same id.
        Assert.Equal(id, await RegisterAsync(Subject("text"), text));
        Assert.Equal(id, await RegisterAsync(Subject("b64-again"), ShopDescriptor));
        var (status, lookup, _) = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{Subject("none")}", Http.SchemaBody(ShopDescriptor, "PROTOBUF"));
        Assert.Equal(404, status);
        Assert.Equal(40401, lookup.GetProperty("error_code").GetInt32());
    }

    [Fact]
    public async Task A_descriptor_importing_a_reference_registered_as_a_descriptor()
    {
        var shop = Subject("shop.proto");
        await RegisterAsync(shop, ShopDescriptor);
        var id = await RegisterAsync(Subject("order"), OrderDescriptor, $"[{{\"name\":\"shop.proto\",\"subject\":\"{shop}\",\"version\":1}}]");
        var (_, body, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/schemas/ids/{id}");
        // Stored trimmed, as every schema text is here (Confluent's ends with its last newline).
        Assert.Equal(
            "syntax = \"proto3\";\npackage shop;\n\nimport \"shop.proto\";\n\nmessage Order {\n  string id = 1 [json_name = \"id\"];\n  .shop.Basket basket = 2 [json_name = \"basket\"];\n}",
            body.GetProperty("schema").GetString());

        // Without the reference its import is not found.
        var (status, error, _) = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{Subject("order")}/versions", Http.SchemaBody(OrderDescriptor, "PROTOBUF"));
        Assert.Equal((422, 42201), (status, error.GetProperty("error_code").GetInt32()));
        Assert.Contains("Import \"shop.proto\" was not found", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CgM=", "truncated")]
    [InlineData("DwAAAA==", "unsupported wire type")]
    public async Task Base64_that_is_no_descriptor_is_42201_naming_both_readings(string garbage, string reason)
    {
        var (status, error, _) = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{Subject("garbage")}/versions", Http.SchemaBody(garbage, "PROTOBUF"));
        Assert.Equal((422, 42201), (status, error.GetProperty("error_code").GetInt32()));
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith("Invalid schema of type PROTOBUF, details: Could not parse Protobuf: not .proto text (", message, StringComparison.Ordinal);
        Assert.Contains("nor a base64 FileDescriptorProto (Invalid Protobuf descriptor: ", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }
}
