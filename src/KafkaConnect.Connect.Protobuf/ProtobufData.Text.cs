using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.SchemaRegistry;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.Protobuf;

/// <summary>
/// Confluent's ProtobufData, Connect schema to .proto: a struct becomes a proto3 message named after the schema
/// (package = its namespace; <c>ConnectDefault1</c>… when unnamed), fields numbered in order (or by the
/// <c>io.confluent.connect.protobuf.Tag</c> parameter), int8/int16 as int32 with a <c>connect.type</c> field-meta
/// param, arrays as repeated, maps as nested <c>…Entry</c> messages, unions as oneofs, enums as nested enums and the
/// logical types as confluent.type.Decimal, google.type.Date, google.type.TimeOfDay and google.protobuf.Timestamp.
/// </summary>
internal sealed partial class ProtobufData
{
    public const string Namespace = "io.confluent.connect.protobuf";
    public const string DefaultSchemaName = "ConnectDefault";
    public const string MapEntrySuffix = "Entry";
    public const string TypeEnum = Namespace + ".Enum";
    public const string TypeUnion = Namespace + ".Union";
    public const string TypeUnionPrefix = TypeUnion + ".";
    public const string TypeTag = Namespace + ".Tag";
    public const string TypeProp = Namespace + ".Type";
    public const string TypeWrapper = Namespace + ".Wrapper";
    public const string ConnectPrecisionProp = "connect.decimal.precision";
    public const string ConnectTypeProp = "connect.type";
    public const string GeneralizedTypeUnion = "org.apache.kafka.connect.data.Union";
    public const string GeneralizedTypeEnum = "org.apache.kafka.connect.data.Enum";
    public const string DecimalType = "confluent.type.Decimal";
    public const string DateType = "google.type.Date";
    public const string TimeType = "google.type.TimeOfDay";
    public const string TimestampType = "google.protobuf.Timestamp";

    private static readonly HashSet<string> MapKeyTypes = new(StringComparer.Ordinal)
    {
        "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string",
    };

    private readonly ProtobufDataConfig _config;

    public ProtobufData(ProtobufDataConfig config)
    {
        _config = config;
    }

    public ProtobufDataConfig Config => _config;

    private sealed class MessageDef(string name)
    {
        public string Name { get; } = name;

        public List<FieldDef> Fields { get; } = [];

        public List<(string Name, List<FieldDef> Fields)> Oneofs { get; } = [];

        public List<MessageDef> Nested { get; } = [];

        public List<(string Name, List<(string Symbol, int Number)> Values)> Enums { get; } = [];

        public HashSet<string> NestedNames { get; } = new(StringComparer.Ordinal);
    }

    private sealed record FieldDef(string? Label, string Type, string Name, int Tag, List<KeyValuePair<string, string>> Params);

    private sealed class FromConnectContext
    {
        private int _defaultNameIndex;

        public SortedSet<string> Imports { get; } = new(StringComparer.Ordinal);

        public bool UsesMeta { get; set; }

        public string NameOrDefault(string? name) =>
            string.IsNullOrEmpty(name) ? DefaultSchemaName + ++_defaultNameIndex : name;
    }

    /// <summary>The .proto text Confluent's converter registers for a Connect struct schema.</summary>
    /// <exception cref="DataException">The schema is not a struct (or holds something proto3 cannot express).</exception>
    public string FromConnectSchema(Schema schema) => FromConnectSchema(schema, out _);

    /// <summary>The .proto text, and the files it imports (all known types).</summary>
    public string FromConnectSchema(Schema schema, out IReadOnlyList<string> imports)
    {
        if (schema.Type != SchemaType.Struct)
        {
            throw new DataException($"ProtobufConverter writes records whose schema is a struct; this one is {schema.Type.ToString().ToUpperInvariant()}");
        }
        var ctx = new FromConnectContext();
        var fullName = ctx.NameOrDefault(schema.Name);
        var parts = fullName.Split('.').Select(Scrub).ToArray();
        var package = parts.Length > 1 ? string.Join('.', parts[..^1]) : null;
        var message = MessageFromConnect(ctx, parts[^1], schema);
        var text = Render(ctx, package, message);
        imports = ctx.UsesMeta ? [KnownProtos.Meta, .. ctx.Imports] : [.. ctx.Imports];
        return text;
    }

    private MessageDef MessageFromConnect(FromConnectContext ctx, string name, Schema schema)
    {
        var message = new MessageDef(name);
        var index = 1;
        foreach (var field in schema.Fields)
        {
            var tag = field.Schema.Parameters.TryGetValue(TypeTag, out var t) ? int.Parse(t, CultureInfo.InvariantCulture) : index++;
            if (FieldFromConnect(ctx, message, field.Schema, Scrub(field.Name), tag, false) is { } def)
            {
                message.Fields.Add(def);
            }
        }
        return message;
    }

    private FieldDef? FieldFromConnect(FromConnectContext ctx, MessageDef message, Schema schema, string name, int tag, bool oneofMember)
    {
        var label = schema.Type is SchemaType.Array or SchemaType.Map ? "repeated"
            : _config.OptionalForNullables && schema.IsOptional && !oneofMember ? "optional"
            : null;
        if (schema.Type == SchemaType.Array)
        {
            schema = schema.ValueSchema!;
            if (schema.Type is SchemaType.Array or SchemaType.Map)
            {
                throw new DataException($"Field {name}: an array of {schema.Type.ToString().ToLowerInvariant()}s has no proto3 form");
            }
        }
        var parameters = new List<KeyValuePair<string, string>>();
        var type = DataType(ctx, schema, name, parameters, oneofMember);
        if (schema.Type == SchemaType.Struct && !IsLogical(schema))
        {
            if (IsUnion(schema))
            {
                var unionName = _config.GeneralizedSumTypeSupport
                    ? schema.Parameters[GeneralizedTypeUnion]
                    : Unqualified(ctx, schema.Name![TypeUnionPrefix.Length..]);
                var members = new List<FieldDef>();
                foreach (var member in schema.Fields)
                {
                    var memberTag = member.Schema.Parameters.TryGetValue(TypeTag, out var mt) ? int.Parse(mt, CultureInfo.InvariantCulture) : 0;
                    if (FieldFromConnect(ctx, message, member.Schema, Scrub(member.Name), memberTag, true) is { } def)
                    {
                        members.Add(def);
                    }
                }
                message.Oneofs.Add((unionName, members));
                return null;
            }
            if (message.NestedNames.Add(type))
            {
                message.Nested.Add(MessageFromConnect(ctx, type, schema));
            }
        }
        else if (schema.Type == SchemaType.Map)
        {
            var entry = new MessageDef(type);
            var key = FieldFromConnect(ctx, entry, schema.KeySchema!, "key", 1, false)!;
            // map<k, v> where proto3 allows it (what protoc-generated classes treat as a map; the same bytes as the
            // entry message). The value's own types then live in this message, where the field can see them.
            if (MapKeyTypes.Contains(key.Type) && key.Params.Count == 0 && PlainMapValue(schema.ValueSchema!))
            {
                var mapValue = FieldFromConnect(ctx, message, schema.ValueSchema!, "value", 2, false)!;
                return new FieldDef(null, $"map<{key.Type}, {mapValue.Type}>", name, tag, []);
            }
            entry.Fields.Add(key);
            entry.Fields.Add(FieldFromConnect(ctx, entry, schema.ValueSchema!, "value", 2, false)!);
            message.Nested.Add(entry);
        }
        else if (IsEnum(schema))
        {
            var enumName = Unqualified(ctx, schema.Name);
            if (!message.Enums.Exists(e => e.Name == enumName))
            {
                var prefix = (_config.GeneralizedSumTypeSupport ? GeneralizedTypeEnum : TypeEnum) + ".";
                var values = schema.Parameters
                    .Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .Select(p => (p.Key[prefix.Length..], int.Parse(p.Value, CultureInfo.InvariantCulture)))
                    .ToList();
                message.Enums.Add((enumName, values));
            }
        }
        if (parameters.Count > 0)
        {
            ctx.UsesMeta = true;
        }
        return new FieldDef(label, type, name, tag, parameters);
    }

    private string DataType(FromConnectContext ctx, Schema schema, string fieldName, List<KeyValuePair<string, string>> parameters, bool oneofMember)
    {
        switch (schema.Name)
        {
            case ConnectDecimal.LogicalName:
                if (schema.Parameters.TryGetValue(ConnectPrecisionProp, out var precision))
                {
                    parameters.Add(new("precision", precision));
                }
                if (schema.Parameters.TryGetValue(ConnectDecimal.ScaleField, out var scale))
                {
                    parameters.Add(new("scale", scale));
                }
                // Confluent fills a HashMap: the params come out in its iteration order.
                var ordered = JavaHashOrder.Order(parameters, p => p.Key, 16);
                parameters.Clear();
                parameters.AddRange(ordered);
                return Import(ctx, KnownProtos.Decimal, DecimalType);
            case Date.LogicalName:
                return Import(ctx, KnownProtos.Date, DateType);
            case Time.LogicalName:
                return Import(ctx, KnownProtos.TimeOfDay, TimeType);
            case Timestamp.LogicalName:
                return Import(ctx, KnownProtos.Timestamp, TimestampType);
        }
        var wrap = _config.WrapperForNullables && schema.IsOptional && (!oneofMember || schema.Parameters.ContainsKey(TypeWrapper));
        string Wrapped(string wrapper, string plain) => wrap ? Import(ctx, KnownProtos.Wrappers, "google.protobuf." + wrapper) : plain;
        switch (schema.Type)
        {
            case SchemaType.Int8:
                parameters.Add(new(ConnectTypeProp, "int8"));
                return Wrapped("Int32Value", "int32");
            case SchemaType.Int16:
                parameters.Add(new(ConnectTypeProp, "int16"));
                return Wrapped("Int32Value", "int32");
            case SchemaType.Int32:
                if (schema.Parameters.TryGetValue(TypeEnum, out var intEnum))
                {
                    return intEnum;
                }
                return Wrapped("Int32Value", schema.Parameters.GetValueOrDefault(TypeProp) ?? "int32");
            case SchemaType.Int64:
                var longType = schema.Parameters.GetValueOrDefault(TypeProp) ?? "int64";
                return Wrapped(longType switch
                {
                    "uint32" or "fixed32" => "UInt32Value",
                    "uint64" or "fixed64" => "UInt64Value",
                    _ => "Int64Value",
                }, longType);
            case SchemaType.Float32:
                return Wrapped("FloatValue", "float");
            case SchemaType.Float64:
                return Wrapped("DoubleValue", "double");
            case SchemaType.Boolean:
                return Wrapped("BoolValue", "bool");
            case SchemaType.String:
                if (schema.Parameters.TryGetValue(GeneralizedTypeEnum, out var generalized))
                {
                    return generalized;
                }
                if (schema.Parameters.TryGetValue(TypeEnum, out var enumName))
                {
                    return enumName;
                }
                return Wrapped("StringValue", "string");
            case SchemaType.Bytes:
                return Wrapped("BytesValue", "bytes");
            case SchemaType.Map:
                var mapName = Unqualified(ctx, schema.Name);
                if (mapName.Contains('_', StringComparison.Ordinal))
                {
                    mapName = UpperCamel(mapName);
                }
                return mapName + MapEntrySuffix;
            case SchemaType.Struct:
                var name = Unqualified(ctx, schema.Name);
                // A message type may not share the field's name.
                return name == fieldName ? name + "Message" : name;
            default:
                throw new DataException("Unknown schema type: " + schema.Type);
        }
    }

    private static string Import(FromConnectContext ctx, string file, string type)
    {
        ctx.Imports.Add(file);
        return "." + type;
    }

    private string Unqualified(FromConnectContext ctx, string? name)
    {
        var full = ctx.NameOrDefault(name);
        var dot = full.LastIndexOf('.');
        return Scrub(dot >= 0 ? full[(dot + 1)..] : full);
    }

    internal static bool IsUnion(Schema schema) =>
        schema.Type == SchemaType.Struct
        && ((schema.Name?.StartsWith(TypeUnion, StringComparison.Ordinal) ?? false) || schema.Parameters.ContainsKey(GeneralizedTypeUnion));

    // A map value that needs no field options or label: not a collection, not int8/int16 (connect.type) or Decimal (precision/scale).
    private static bool PlainMapValue(Schema value) =>
        value.Type is not (SchemaType.Array or SchemaType.Map or SchemaType.Int8 or SchemaType.Int16)
        && value.Name != ConnectDecimal.LogicalName && !IsUnion(value);

    private static bool IsEnum(Schema schema) =>
        schema.Parameters.ContainsKey(GeneralizedTypeEnum) || schema.Parameters.ContainsKey(TypeEnum);

    private static bool IsLogical(Schema schema) =>
        schema.Name is ConnectDecimal.LogicalName or Date.LogicalName or Time.LogicalName or Timestamp.LogicalName;

    private static string UpperCamel(string lowerUnderscore) =>
        string.Concat(lowerUnderscore.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()));

    // scrub.invalid.names: Confluent URL-encodes a name that is not [A-Za-z_][A-Za-z0-9_]* and turns what is left invalid into '_'.
    private string Scrub(string name)
    {
        if (!_config.ScrubInvalidNames || string.IsNullOrEmpty(name))
        {
            return name;
        }
        static bool Valid(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_';
        if (name.All(Valid) && !char.IsAsciiDigit(name[0]) && name[0] != '_')
        {
            return name;
        }
        var encoded = Uri.EscapeDataString(name).Replace("%20", "+", StringComparison.Ordinal);
        if (char.IsAsciiDigit(encoded[0]) || encoded[0] == '_')
        {
            encoded = "x" + encoded;
        }
        return new string([.. encoded.Select(c => Valid(c) ? c : '_')]);
    }

    // Laid out as Confluent's canonical text (Square Wire's printer): syntax, package, imports, then messages.
    private static string Render(FromConnectContext ctx, string? package, MessageDef message)
    {
        var sb = new StringBuilder();
        sb.Append("syntax = \"proto3\";\n");
        if (package is not null)
        {
            sb.Append("package ").Append(package).Append(";\n");
        }
        var imports = new List<string>(ctx.Imports);
        if (ctx.UsesMeta)
        {
            imports.Insert(0, KnownProtos.Meta);
        }
        if (imports.Count > 0)
        {
            sb.Append('\n');
            foreach (var import in imports)
            {
                sb.Append("import \"").Append(import).Append("\";\n");
            }
        }
        sb.Append('\n');
        RenderMessage(sb, message, "");
        return sb.ToString();
    }

    private static void RenderMessage(StringBuilder sb, MessageDef message, string indent)
    {
        sb.Append(indent).Append("message ").Append(message.Name).Append(" {\n");
        var inner = indent + "  ";
        foreach (var field in message.Fields)
        {
            RenderField(sb, field, inner);
        }
        foreach (var (name, fields) in message.Oneofs)
        {
            sb.Append(inner).Append("oneof ").Append(name).Append(" {\n");
            foreach (var field in fields)
            {
                RenderField(sb, field, inner + "  ");
            }
            sb.Append(inner).Append("}\n");
        }
        foreach (var nested in message.Nested)
        {
            sb.Append('\n');
            RenderMessage(sb, nested, inner);
        }
        foreach (var (name, values) in message.Enums)
        {
            sb.Append('\n').Append(inner).Append("enum ").Append(name).Append(" {\n");
            foreach (var (symbol, number) in values)
            {
                sb.Append(inner).Append("  ").Append(symbol).Append(" = ").Append(number.ToString(CultureInfo.InvariantCulture)).Append(";\n");
            }
            sb.Append(inner).Append("}\n");
        }
        sb.Append(indent).Append("}\n");
    }

    private static void RenderField(StringBuilder sb, FieldDef field, string indent)
    {
        sb.Append(indent);
        if (field.Label is not null)
        {
            sb.Append(field.Label).Append(' ');
        }
        sb.Append(field.Type).Append(' ').Append(field.Name).Append(" = ").Append(field.Tag.ToString(CultureInfo.InvariantCulture));
        if (field.Params.Count > 0)
        {
            sb.Append(" [(confluent.field_meta) = {\n").Append(indent).Append("  params: [\n");
            for (var i = 0; i < field.Params.Count; i++)
            {
                sb.Append(indent).Append("    {\n")
                    .Append(indent).Append("      key: \"").Append(field.Params[i].Key).Append("\",\n")
                    .Append(indent).Append("      value: \"").Append(field.Params[i].Value).Append("\"\n")
                    .Append(indent).Append(i + 1 < field.Params.Count ? "    },\n" : "    }\n");
            }
            sb.Append(indent).Append("  ]\n").Append(indent).Append("}]");
        }
        sb.Append(";\n");
    }
}
