using System.Globalization;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>Protobuf message to Connect schema, as Confluent's ProtobufData.toConnectSchema.</summary>
internal sealed partial class ProtobufData
{
    /// <summary>The Connect schema of a message; <paramref name="version"/> is the registry version, if known.</summary>
    /// <exception cref="DataException">A recursive message (Connect schemas cannot refer to themselves).</exception>
    public Schema ToConnectSchema(ProtoMessage message, int? version = null)
    {
        if (_config.WrapperForRawPrimitives && Unwrapped(message) is { } primitive)
        {
            return primitive.Build();
        }
        var builder = StructBuilder(message, []);
        if (version is { } v)
        {
            builder.Version(v);
        }
        return builder.Build();
    }

    private SchemaBuilder StructBuilder(ProtoMessage message, HashSet<string> building)
    {
        if (!building.Add(message.FullName))
        {
            throw new DataException($"Recursive message {message.FullName} has no Connect schema");
        }
        var builder = SchemaBuilder.Struct().Name(_config.EnhancedSchemaSupport ? message.FullName : message.Name);
        for (var i = 0; i < message.Oneofs.Count; i++)
        {
            var (name, synthetic) = message.Oneofs[i];
            if (synthetic)
            {
                continue;
            }
            var members = message.Fields.Where(f => f.OneofIndex == i && !f.Proto3Optional);
            if (_config.FlattenUnions)
            {
                foreach (var member in members)
                {
                    builder.Field(member.Name, FieldSchema(member, true, building));
                }
                continue;
            }
            var union = SchemaBuilder.Struct();
            if (_config.GeneralizedSumTypeSupport)
            {
                union.Name(name).Parameter(GeneralizedTypeUnion, name);
            }
            else
            {
                union.Name(TypeUnionPrefix + (_config.EnhancedSchemaSupport ? message.FullName + "." + name : name));
            }
            foreach (var member in members)
            {
                union.Field(member.Name, FieldSchema(member, true, building));
            }
            builder.Field(UnionFieldName(name, i), union.Optional().Build());
        }
        foreach (var field in message.Fields)
        {
            if (field.OneofIndex >= 0 && !field.Proto3Optional)
            {
                continue;
            }
            builder.Field(field.Name, FieldSchema(field, false, building));
        }
        building.Remove(message.FullName);
        return builder;
    }

    private string UnionFieldName(string name, int index) =>
        _config.GenerateIndexForUnions ? name + "_" + index.ToString(CultureInfo.InvariantCulture) : name;

    private Schema FieldSchema(ProtoField field, bool oneofMember, HashSet<string> building)
    {
        SchemaBuilder builder;
        // SchemaBuilder refuses a second Optional(): collect the decision and apply it once.
        var optional = false;
        switch (field.Type)
        {
            case ProtoType.Int32 or ProtoType.SInt32 or ProtoType.SFixed32:
                builder = field.Param(ConnectTypeProp) switch
                {
                    "int8" => SchemaBuilder.Int8(),
                    "int16" => SchemaBuilder.Int16(),
                    _ => field.Type == ProtoType.Int32 ? SchemaBuilder.Int32() : SchemaBuilder.Int32().Parameter(TypeProp, TypeName(field.Type)),
                };
                break;
            case ProtoType.UInt32 or ProtoType.Fixed32 or ProtoType.Int64 or ProtoType.UInt64 or ProtoType.SInt64 or ProtoType.Fixed64 or ProtoType.SFixed64:
                builder = SchemaBuilder.Int64();
                if (field.Type != ProtoType.Int64)
                {
                    builder.Parameter(TypeProp, TypeName(field.Type));
                }
                break;
            case ProtoType.Float: builder = SchemaBuilder.Float32(); break;
            case ProtoType.Double: builder = SchemaBuilder.Float64(); break;
            case ProtoType.Bool: builder = SchemaBuilder.Bool(); break;
            case ProtoType.String: builder = SchemaBuilder.String(); break;
            case ProtoType.Bytes: builder = SchemaBuilder.Bytes(); break;
            case ProtoType.Enum:
                var enumType = field.EnumType!;
                builder = (_config.IntForEnums ? SchemaBuilder.Int32() : SchemaBuilder.String())
                    .Name(_config.EnhancedSchemaSupport ? enumType.FullName : enumType.Name);
                var paramName = _config.GeneralizedSumTypeSupport ? GeneralizedTypeEnum : TypeEnum;
                builder.Parameter(paramName, enumType.Name);
                foreach (var (symbol, number) in enumType.Values)
                {
                    builder.Parameter(paramName + "." + symbol, number.ToString(CultureInfo.InvariantCulture));
                }
                optional = true;
                break;
            case ProtoType.Message:
                builder = field.MessageType!.FullName switch
                {
                    DecimalType => DecimalBuilder(field),
                    DateType => Date.Builder(),
                    TimeType => Time.Builder(),
                    TimestampType => Timestamp.Builder(),
                    _ => _config.WrapperForNullables && Unwrapped(field.MessageType) is { } unwrapped ? unwrapped
                        : IsMap(field) ? MapBuilder(field.MessageType, building)
                        : StructBuilder(field.MessageType, building),
                };
                optional = true;
                break;
            default:
                throw new DataException($"Unsupported protobuf type {field.Type} of field {field.Name}");
        }
        if (field.Repeated && builder.Type != SchemaType.Map)
        {
            builder = SchemaBuilder.Array(builder.Optional().Build());
            optional = true;
        }
        if (oneofMember)
        {
            optional = true;
            if (_config.WrapperForNullables && field.Type == ProtoType.Message && Unwrapped(field.MessageType!) is not null)
            {
                builder.Parameter(TypeWrapper, "true");
            }
        }
        else if (_config.OptionalForNullables)
        {
            optional |= field.Proto3Optional;
        }
        else if (!_config.WrapperForNullables)
        {
            optional = true;
        }
        if (optional)
        {
            builder.Optional();
        }
        builder.Parameter(TypeTag, field.Number.ToString(CultureInfo.InvariantCulture));
        return builder.Build();
    }

    private static SchemaBuilder DecimalBuilder(ProtoField field)
    {
        var scale = int.TryParse(field.Param("scale"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var builder = ConnectDecimal.Builder(scale);
        if (int.TryParse(field.Param("precision"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var precision))
        {
            builder.Parameter(ConnectPrecisionProp, precision.ToString(CultureInfo.InvariantCulture));
        }
        return builder;
    }

    private SchemaBuilder MapBuilder(ProtoMessage entry, HashSet<string> building)
    {
        var name = MapFieldName(_config.EnhancedSchemaSupport ? entry.FullName : entry.Name);
        return SchemaBuilder.Map(FieldSchema(entry.Fields[0], false, building), FieldSchema(entry.Fields[1], false, building)).Name(name);
    }

    // Confluent's ProtobufSchema.toMapField: "TagsEntry" -> "tags" in the last name part.
    private static string MapFieldName(string name)
    {
        var dot = name.LastIndexOf('.');
        var last = name[(dot + 1)..];
        if (last.EndsWith(MapEntrySuffix, StringComparison.Ordinal))
        {
            last = last[..^MapEntrySuffix.Length];
            var sb = new System.Text.StringBuilder();
            for (var i = 0; i < last.Length; i++)
            {
                if (char.IsAsciiLetterUpper(last[i]))
                {
                    if (i > 0)
                    {
                        sb.Append('_');
                    }
                    sb.Append(char.ToLowerInvariant(last[i]));
                }
                else
                {
                    sb.Append(last[i]);
                }
            }
            last = sb.ToString();
        }
        return dot >= 0 ? name[..(dot + 1)] + last : last;
    }

    internal static bool IsMap(ProtoField field) =>
        field.Repeated
        && field.MessageType is { } entry
        && entry.Name.EndsWith(MapEntrySuffix, StringComparison.Ordinal)
        && entry.Fields.Count == 2
        && entry.Fields[0].Name == "key" && entry.Fields[1].Name == "value"
        && !entry.Fields[0].Repeated && !entry.Fields[1].Repeated;

    private static SchemaBuilder? Unwrapped(ProtoMessage message) => message.FullName switch
    {
        "google.protobuf.DoubleValue" => SchemaBuilder.Float64(),
        "google.protobuf.FloatValue" => SchemaBuilder.Float32(),
        "google.protobuf.Int64Value" or "google.protobuf.UInt64Value" or "google.protobuf.UInt32Value" => SchemaBuilder.Int64(),
        "google.protobuf.Int32Value" => SchemaBuilder.Int32(),
        "google.protobuf.BoolValue" => SchemaBuilder.Bool(),
        "google.protobuf.StringValue" => SchemaBuilder.String(),
        "google.protobuf.BytesValue" => SchemaBuilder.Bytes(),
        _ => null,
    };

    private static string TypeName(ProtoType type) => type.ToString().ToLowerInvariant();

    public const string WrapperValueField = "value";

    /// <summary>The google.protobuf wrapper for a top-level primitive, and its index in wrappers.proto.</summary>
    /// <exception cref="DataException">Not a plain primitive (arrays, maps and logical types have no wrapper).</exception>
    public static (string Message, int Index) WrapperFor(Schema schema) => schema.Name is null || schema.Type is SchemaType.String or SchemaType.Boolean
        ? schema.Type switch
        {
            SchemaType.Float64 => ("DoubleValue", 0),
            SchemaType.Float32 => ("FloatValue", 1),
            SchemaType.Int64 => ("Int64Value", 2),
            SchemaType.Int8 or SchemaType.Int16 or SchemaType.Int32 => ("Int32Value", 4),
            SchemaType.Boolean => ("BoolValue", 6),
            SchemaType.String => ("StringValue", 7),
            SchemaType.Bytes => ("BytesValue", 8),
            _ => throw new DataException($"ProtobufConverter writes a struct or a primitive; {schema.Type.ToString().ToUpperInvariant()} has no top-level protobuf form"),
        }
        : throw new DataException($"ProtobufConverter cannot write a top-level {schema.Name}: only structs and plain primitives have a protobuf form");
}
