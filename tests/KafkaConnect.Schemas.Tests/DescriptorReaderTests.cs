using KafkaConnect.Schemas.Protobuf;

namespace KafkaConnect.Schemas.Tests;

/// <summary>A base64 FileDescriptorProto (what Confluent's Python and Go serializers register) to the model and to Confluent's canonical text.</summary>
public sealed class DescriptorReaderTests
{
    // protoc 3.21 --descriptor_set_out of Shop (below), the set's one FileDescriptorProto in base64. protoc fills in json_name.
    internal const string ShopDescriptor =
        "CgpzaG9wLnByb3RvEgRzaG9wGh9nb29nbGUvcHJvdG9idWYvdGltZXN0YW1wLnByb3RvIrcDCgZCYXNrZXQSDgoCaWQYASABKAVSAmlkEjAKBmNvdW50cxgCIAMoCzIYLnNob3AuQmFza2V0LkNvdW50c0VudHJ5UgZjb3VudHMSJwoFaXRlbXMYAyADKAsyES5zaG9wLkJhc2tldC5JdGVtUgVpdGVtcxIrCgZjb2xvdXIYBCABKA4yEy5zaG9wLkJhc2tldC5Db2xvdXJSBmNvbG91chIWCgVlbWFpbBgFIAEoCUgAUgVlbWFpbBIWCgVwaG9uZRgGIAEoEUgAUgVwaG9uZRIqCgJhdBgHIAEoCzIaLmdvb2dsZS5wcm90b2J1Zi5UaW1lc3RhbXBSAmF0EhcKBG5vdGUYCCABKAlIAVIEbm90ZYgBARo5CgtDb3VudHNFbnRyeRIQCgNrZXkYASABKAlSA2tleRIUCgV2YWx1ZRgCIAEoA1IFdmFsdWU6AjgBGi4KBEl0ZW0SEAoDc2t1GAEgASgJUgNza3USFAoFcHJpY2UYAiABKAFSBXByaWNlIhsKBkNvbG91chIHCgNSRUQQABIICgRCTFVFEAFCCQoHY29udGFjdEIHCgVfbm90ZUoECAoQDUISChBjb20uZXhhbXBsZS5zaG9wYgZwcm90bzM=";

    internal const string Shop = """
        syntax = "proto3";
        package shop;

        import "google/protobuf/timestamp.proto";

        option java_package = "com.example.shop";

        message Basket {
          int32 id = 1;
          map<string, int64> counts = 2;
          repeated Item items = 3;
          Colour colour = 4;
          oneof contact {
            string email = 5;
            sint32 phone = 6;
          }
          google.protobuf.Timestamp at = 7;
          optional string note = 8;
          reserved 10 to 12;

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

    // What Confluent's registry stores and returns for ShopDescriptor (ProtobufSchema.canonicalString, not normalised).
    internal const string ShopCanonical = """
        syntax = "proto3";
        package shop;

        import "google/protobuf/timestamp.proto";

        option java_package = "com.example.shop";

        message Basket {
          reserved 10 to 12;

          int32 id = 1 [json_name = "id"];
          repeated .shop.Basket.CountsEntry counts = 2 [json_name = "counts"];
          repeated .shop.Basket.Item items = 3 [json_name = "items"];
          .shop.Basket.Colour colour = 4 [json_name = "colour"];
          .google.protobuf.Timestamp at = 7 [json_name = "at"];
          optional string note = 8 [json_name = "note"];

          oneof contact {
            string email = 5 [json_name = "email"];
            sint32 phone = 6 [json_name = "phone"];
          }

          message CountsEntry {
            option map_entry = true;
          
            string key = 1 [json_name = "key"];
            int64 value = 2 [json_name = "value"];
          }
          message Item {
            string sku = 1 [json_name = "sku"];
            double price = 2 [json_name = "price"];
          }
          enum Colour {
            RED = 0;
            BLUE = 1;
          }
        }

        """;

    [Fact]
    public void A_descriptor_prints_as_confluents_canonical_text()
    {
        Assert.Equal(ShopCanonical, DescriptorReader.ToProtoText(Convert.FromBase64String(ShopDescriptor)));
    }

    [Fact]
    public void The_canonical_text_parses_to_what_the_descriptor_and_the_original_text_read_as()
    {
        var fromDescriptor = new ProtoParser(new Dictionary<string, string>(), DescriptorReader.TryAddFile).Parse(ShopDescriptor);
        var fromCanonical = new ProtoParser(new Dictionary<string, string>()).Parse(ShopCanonical);
        var fromText = new ProtoParser(new Dictionary<string, string>()).Parse(Shop);
        foreach (var file in new[] { fromCanonical, fromText })
        {
            Assert.Equal(Describe(fromDescriptor), Describe(file));
        }
    }

    // protoc of a proto2 file (no syntax statement in the descriptor, no package) importing confluent/meta.proto:
    //   message Price { required bytes amount = 1 [(confluent.field_meta) = { doc: "in \"cents\"", params: [precision 5, scale 2] }];
    //     optional string currency = 2 [default = "EUR", deprecated = true]; repeated int32 history = 3 [packed = true]; }
    private const string PriceDescriptor =
        "CgtwcmljZS5wcm90bxoUY29uZmx1ZW50L21ldGEucHJvdG8ijwEKBVByaWNlEkMKBmFtb3VudBgBIAIoDEIrgkQoCgppbiAiY2VudHMiEg4KCXByZWNpc2lvbhIBNRIKCgVzY2FsZRIBMlIGYW1vdW50EiMKCGN1cnJlbmN5GAIgASgJOgNFVVJCAhgBUghjdXJyZW5jeRIcCgdoaXN0b3J5GAMgAygFQgIQAVIHaGlzdG9yeQ==";

    [Fact]
    public void Field_options_print_as_confluents_option_maps_and_read_back()
    {
        // Confluent prints precision and scale value first; several options one a line.
        const string expected = """

            import "confluent/meta.proto";

            message Price {
              required bytes amount = 1 [
                (confluent.field_meta) = {
                  doc: "in \"cents\"",
                  params: [
                    {
                      value: "5",
                      key: "precision"
                    },
                    {
                      value: "2",
                      key: "scale"
                    }
                  ]
                },
                json_name = "amount"
              ];
              optional string currency = 2 [
                deprecated = true,
                default = "EUR",
                json_name = "currency"
              ];
              repeated int32 history = 3 [
                packed = true,
                json_name = "history"
              ];
            }

            """;
        var text = DescriptorReader.ToProtoText(Convert.FromBase64String(PriceDescriptor));
        Assert.Equal(expected, text);
        var amount = new ProtoParser(new Dictionary<string, string>()).Parse(text).Messages[0].Fields[0];
        Assert.Equal("in \"cents\"", amount.Doc);
        Assert.Equal([new("precision", "5"), new("scale", "2")], amount.Params);
        Assert.Equal("required", amount.Label);
    }

    [Theory]
    [InlineData("syntax = \"proto3\"; message M {}")]
    [InlineData("message M { int32 a = 1; }")]
    public void Text_is_never_mistaken_for_base64(string text)
    {
        Assert.Null(DescriptorReader.TryDecodeBase64(text));
        Assert.NotNull(DescriptorReader.TryDecodeBase64(ShopDescriptor));
    }

    [Theory]
    [InlineData("/////w==", "truncated")]
    [InlineData("CgM=", "truncated")]
    [InlineData("Cg/=", "truncated")]
    [InlineData("DwAA", "wire type")]
    public void Bytes_that_are_no_descriptor_are_a_schema_parse_exception(string base64, string reason)
    {
        var bytes = Convert.FromBase64String(base64);
        var e = Assert.Throws<SchemaParseException>(() => DescriptorReader.ToProtoText(bytes));
        Assert.StartsWith("Invalid Protobuf descriptor: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Throws<SchemaParseException>(() => new ProtoParser(new Dictionary<string, string>(), DescriptorReader.TryAddFile).Parse(base64));
    }

    // Every message (map entries included) with its fields as the codec and the registry's diff see them.
    private static string Describe(ProtoFile file)
    {
        var lines = new List<string> { "package " + file.Package };
        void Add(ProtoMessage m)
        {
            lines.Add($"message {m.FullName} map={m.IsMapEntry} oneofs={string.Join(",", m.Oneofs)}");
            // The canonical text lists oneof members after the other fields, as Confluent's does.
            foreach (var f in m.Fields.OrderBy(f => f.Number))
            {
                lines.Add($"  {f.Number} {f.Name} {f.Type} {f.TypeName} repeated={f.Repeated} oneof={f.OneofIndex} p3opt={f.Proto3Optional} "
                    + $"message={f.MessageType?.FullName} enum={f.EnumType?.FullName}");
            }
            m.Nested.ForEach(Add);
            m.Enums.ForEach(e => lines.Add($"enum {e.FullName} {string.Join(",", e.Values)}"));
        }
        foreach (var m in file.Messages)
        {
            Add(m);
        }
        return string.Join('\n', lines);
    }
}
