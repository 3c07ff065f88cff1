using System.Globalization;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Json;
using KafkaConnect.Connect.SchemaRegistry;
using ConnectDecimal = KafkaConnect.Connect.Data.Decimal;

namespace KafkaConnect.Connect.JsonSchema;

/// <summary>
/// Confluent's JsonSchemaData: Connect schemas and values to and from JSON Schema (draft-07 keywords) and JSON.
/// This half turns a Connect schema into the schema text Confluent registers, member for member in the same order
/// (everit's printer: the type keyword, then title, description, default, the <c>connect.*</c> keywords, then
/// items / additionalProperties / properties; HashMap-ordered where everit keeps a HashMap).
/// </summary>
internal sealed partial class JsonSchemaData
{
    public const string Namespace = "io.confluent.connect.json";
    public const string ConnectTypeProp = "connect.type";
    public const string ConnectVersionProp = "connect.version";
    public const string ConnectParametersProp = "connect.parameters";
    public const string ConnectIndexProp = "connect.index";
    public const string KeyField = "key";
    public const string ValueField = "value";
    public const string JsonTypeEnum = Namespace + ".Enum";
    public const string JsonTypeOneOf = Namespace + ".OneOf";
    public const string GeneralizedTypeUnion = "org.apache.kafka.connect.data.Union";
    public const string GeneralizedTypeEnum = "org.apache.kafka.connect.data.Enum";
    public const string GeneralizedTypeUnionPrefix = "connect_union_";
    public const string GeneralizedTypeUnionFieldPrefix = GeneralizedTypeUnionPrefix + "field_";
    public const string NullMarker = "<NULL>";

    private readonly JsonSchemaDataConfig _config;

    public JsonSchemaData(JsonSchemaDataConfig config)
    {
        _config = config;
    }

    public JsonSchemaDataConfig Config => _config;

    /// <summary>The JSON Schema for a Connect schema, as Confluent's converter registers it.</summary>
    public JsonTree FromConnectSchema(Schema schema) => Build(schema, null, false);

    /// <summary>A union is a struct named like Confluent's oneOf struct or carrying the generalized union parameter.</summary>
    internal static bool IsUnion(Schema schema) =>
        schema.Type == SchemaType.Struct
        && (JsonTypeOneOf.Equals(schema.Name, StringComparison.Ordinal) || schema.Parameters.ContainsKey(GeneralizedTypeUnion));

    private enum Kind
    {
        Integer,
        Number,
        Boolean,
        String,
        Enum,
        Array,
        Object,
        Combined,
    }

    private JsonTree Build(Schema schema, int? index, bool ignoreOptional)
    {
        // Extra keywords in insertion order; everit later lists them in HashMap order.
        var extra = new List<KeyValuePair<string, object?>>();
        Kind kind;
        List<object?>? enumValues = null;
        JsonTree? items = null, additional = null;
        List<KeyValuePair<string, JsonTree>>? properties = null;
        List<object?>? oneOf = null;
        var closed = false;
        switch (schema.Type)
        {
            case SchemaType.Int8: kind = Kind.Integer; extra.Add(new(ConnectTypeProp, "int8")); break;
            case SchemaType.Int16: kind = Kind.Integer; extra.Add(new(ConnectTypeProp, "int16")); break;
            case SchemaType.Int32: kind = Kind.Integer; extra.Add(new(ConnectTypeProp, "int32")); break;
            case SchemaType.Int64: kind = Kind.Integer; extra.Add(new(ConnectTypeProp, "int64")); break;
            case SchemaType.Float32: kind = Kind.Number; extra.Add(new(ConnectTypeProp, "float32")); break;
            case SchemaType.Float64: kind = Kind.Number; extra.Add(new(ConnectTypeProp, "float64")); break;
            case SchemaType.Boolean: kind = Kind.Boolean; break;
            case SchemaType.String:
                if (schema.Parameters.ContainsKey(GeneralizedTypeEnum) || schema.Parameters.ContainsKey(JsonTypeEnum))
                {
                    kind = Kind.Enum;
                    var prefix = (_config.GeneralizedSumTypeSupport ? GeneralizedTypeEnum : JsonTypeEnum) + ".";
                    var symbols = new List<object?>();
                    foreach (var (key, _) in schema.Parameters)
                    {
                        if (key.StartsWith(prefix, StringComparison.Ordinal))
                        {
                            var symbol = key[prefix.Length..];
                            symbols.Add(symbol == NullMarker ? null : symbol);
                        }
                    }
                    // everit prints the values of a HashSet copy.
                    enumValues = JavaHashOrder.Order(symbols, s => (string?)s ?? "", JavaHashOrder.CapacityOfSetCopy(symbols.Count));
                }
                else
                {
                    kind = Kind.String;
                }
                break;
            case SchemaType.Bytes:
                kind = ConnectDecimal.LogicalName.Equals(schema.Name, StringComparison.Ordinal) && _config.DecimalFormat == DecimalFormat.Numeric
                    ? Kind.Number
                    : Kind.String;
                extra.Add(new(ConnectTypeProp, "bytes"));
                break;
            case SchemaType.Array:
                kind = Kind.Array;
                items = Build(schema.ValueSchema!, null, false);
                break;
            case SchemaType.Map:
                if (schema.KeySchema!.Type == SchemaType.String && !schema.KeySchema.IsOptional)
                {
                    kind = Kind.Object;
                    additional = Build(schema.ValueSchema!, null, false);
                }
                else
                {
                    kind = Kind.Array;
                    items = Emit(Kind.Object, null, [], null, null, null,
                        [new(KeyField, Build(schema.KeySchema, 0, false)), new(ValueField, Build(schema.ValueSchema!, 1, false))], false, null);
                }
                extra.Add(new(ConnectTypeProp, "map"));
                break;
            case SchemaType.Struct:
                if (IsUnion(schema))
                {
                    kind = Kind.Combined;
                    oneOf = [];
                    if (schema.IsOptional)
                    {
                        oneOf.Add(NullSchema());
                    }
                    foreach (var field in schema.Fields)
                    {
                        oneOf.Add(Build(NonOptional(field.Schema), field.Index, true));
                    }
                }
                else if (schema.IsOptional)
                {
                    kind = Kind.Combined;
                    oneOf = [NullSchema(), Build(NonOptional(schema), null, false)];
                }
                else
                {
                    kind = Kind.Object;
                    properties = [];
                    foreach (var field in schema.Fields)
                    {
                        properties.Add(new(field.Name, Build(field.Schema, field.Index, false)));
                    }
                    closed = !_config.AllowAdditionalProperties;
                }
                break;
            default:
                throw new DataException("Unsupported type " + schema.Type);
        }

        if (kind == Kind.Combined)
        {
            if (index is { } unionIndex)
            {
                extra.Add(new(ConnectIndexProp, (long)unionIndex));
            }
            return Emit(kind, null, extra, null, null, null, null, false, oneOf);
        }

        var title = schema.Name;
        var description = schema.Doc;
        if (schema.Version is { } version)
        {
            extra.Add(new(ConnectVersionProp, (long)version));
        }
        var parameters = schema.Parameters.Where(p => !p.Key.StartsWith(Namespace, StringComparison.Ordinal)).ToList();
        if (parameters.Count > 0)
        {
            // Collectors.toMap (a HashMap of 16) printed by org.json through a HashMap of the same size.
            var ordered = JavaHashOrder.Order(JavaHashOrder.Order(parameters, p => p.Key, 16), p => p.Key, JavaHashOrder.CapacityFor(parameters.Count));
            var tree = new JsonTree();
            foreach (var (key, value) in ordered)
            {
                tree.Add(key, value);
            }
            extra.Add(new(ConnectParametersProp, tree));
        }
        RawJson? defaultValue = schema.DefaultValue is { } d ? new RawJson(DefaultJson(schema, d)) : null;

        var wrap = !ignoreOptional && schema.IsOptional;
        var node = Emit(kind, enumValues, extra, title, description, defaultValue, properties, closed, null, items, additional, wrap ? null : index);
        if (wrap)
        {
            var wrapperExtra = new List<KeyValuePair<string, object?>>();
            if (index is { } i)
            {
                wrapperExtra.Add(new(ConnectIndexProp, (long)i));
            }
            return Emit(Kind.Combined, null, wrapperExtra, null, null, null, null, false, [NullSchema(), node]);
        }
        return node;
    }

    // Prints one schema object in everit's member order.
    private static JsonTree Emit(
        Kind kind,
        List<object?>? enumValues,
        List<KeyValuePair<string, object?>> extra,
        string? title,
        string? description,
        RawJson? defaultValue,
        List<KeyValuePair<string, JsonTree>>? properties,
        bool closed,
        List<object?>? oneOf,
        JsonTree? items = null,
        JsonTree? additional = null,
        int? index = null)
    {
        if (index is { } i)
        {
            extra.Add(new(ConnectIndexProp, (long)i));
        }
        var tree = new JsonTree();
        switch (kind)
        {
            case Kind.Integer: tree.Add("type", "integer"); break;
            case Kind.Number: tree.Add("type", "number"); break;
            case Kind.String: tree.Add("type", "string"); break;
            case Kind.Array: tree.Add("type", "array"); break;
            case Kind.Enum: tree.Add("enum", enumValues); break;
            case Kind.Object:
                tree.Add("type", "object");
                if (closed)
                {
                    tree.Add("additionalProperties", false);
                }
                break;
        }
        if (title is not null)
        {
            tree.Add("title", title);
        }
        if (description is not null)
        {
            tree.Add("description", description);
        }
        if (defaultValue is not null)
        {
            tree.Add("default", defaultValue);
        }
        // Confluent's HashMap (16 buckets) copied by everit's Schema into a HashMap sized for its count.
        foreach (var (key, value) in JavaHashOrder.Order(JavaHashOrder.Order(extra, e => e.Key, 16), e => e.Key, JavaHashOrder.CapacityOfCopy(extra.Count)))
        {
            tree.Add(key, value);
        }
        switch (kind)
        {
            case Kind.Boolean: tree.Add("type", "boolean"); break;
            case Kind.Array: tree.Add("items", items); break;
            case Kind.Object:
                if (additional is not null)
                {
                    tree.Add("additionalProperties", additional);
                }
                if (properties is { Count: > 0 })
                {
                    var props = new JsonTree();
                    foreach (var (name, schema) in JavaHashOrder.Order(properties, p => p.Key, JavaHashOrder.CapacityAfterPuts(properties.Count)))
                    {
                        props.Add(name, schema);
                    }
                    tree.Add("properties", props);
                }
                break;
            case Kind.Combined: tree.Add("oneOf", oneOf); break;
        }
        return tree;
    }

    private static JsonTree NullSchema() => new JsonTree().Add("type", "null");

    private static Schema NonOptional(Schema schema)
    {
        if (!schema.IsOptional)
        {
            return schema;
        }
        var builder = schema.Type switch
        {
            SchemaType.Array => SchemaBuilder.Array(schema.ValueSchema!),
            SchemaType.Map => SchemaBuilder.Map(schema.KeySchema!, schema.ValueSchema!),
            _ => SchemaBuilder.OfType(schema.Type),
        };
        foreach (var field in schema.Fields)
        {
            builder.Field(field.Name, field.Schema);
        }
        if (schema.Name is { } name)
        {
            builder.Name(name);
        }
        if (schema.Version is { } version)
        {
            builder.Version(version);
        }
        if (schema.Doc is { } doc)
        {
            builder.Doc(doc);
        }
        if (schema.Parameters.Count > 0)
        {
            builder.Parameters(schema.Parameters);
        }
        if (schema.DefaultValue is { } defaultValue)
        {
            builder.DefaultValue(defaultValue);
        }
        return builder.Build();
    }

    // Confluent hands the default to org.json as a Java value: numbers lose a trailing ".0" there (JSONObject.numberToString).
    private byte[] DefaultJson(Schema schema, object value)
    {
        var json = WriteValue(schema, value) ?? "null"u8.ToArray();
        var isFloating = schema.Type is SchemaType.Float32 or SchemaType.Float64
            || (ConnectDecimal.LogicalName.Equals(schema.Name, StringComparison.Ordinal) && _config.DecimalFormat == DecimalFormat.Numeric);
        if (!isFloating || json.Length == 0 || json[0] == (byte)'"')
        {
            return json;
        }
        var text = System.Text.Encoding.ASCII.GetString(json);
        if (text.Contains('.', StringComparison.Ordinal) && !text.Contains('E', StringComparison.OrdinalIgnoreCase))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }
        return System.Text.Encoding.ASCII.GetBytes(text.ToString(CultureInfo.InvariantCulture));
    }
}
