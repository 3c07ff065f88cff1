using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaConnect.Connect.Avro;

// Avro schema → Connect schema (Confluent's toConnectSchema).
public sealed partial class AvroData
{
    /// <summary>Avro schema → Connect schema.</summary>
    /// <param name="version">The registry version, used when the schema has no <c>connect.version</c> (as Confluent's converter does).</param>
    /// <exception cref="DataException">A standalone null, a recursive record, or malformed Connect metadata.</exception>
    public Schema ToConnectSchema(AvroSchema schema, int? version = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return ToConnect(schema, false, null, null, version, []);
    }

    /// <summary>Where a field's default came from: the Avro field's <c>default</c> or a <c>connect.default</c> property.</summary>
    private sealed record DefaultSource(JsonNode? Json, bool FromAvroField);

    // A mutable description, built into a ConnectSchema at the end: unlike SchemaBuilder it can be read back (version,
    // name) and set twice, which Confluent's rules need.
    private sealed class Spec
    {
        public required SchemaType Type;
        public string? Name;
        public int? Version;
        public string? Doc;
        public bool Optional;
        public readonly Dictionary<string, string> Parameters = new(StringComparer.Ordinal);
        public List<Field>? Fields;
        public Schema? Key;
        public Schema? Value;

        public static Spec Logical(SchemaType type, string name, int version = 1) => new() { Type = type, Name = name, Version = version };

        public ConnectSchema Build(object? defaultValue) =>
            new(Type, Optional, defaultValue, Name, Version, Doc, Parameters, Fields, Key, Value);
    }

    private Schema ToConnect(AvroSchema schema, bool forceOptional, DefaultSource? fieldDefault, string? docDefault, int? version, HashSet<AvroSchema> inProgress)
    {
        var connectType = schema.GetStringProp(ConnectTypeProp);
        var logicalType = schema.GetStringProp(LogicalTypeProp);
        var meta = Options.ConnectMetaData;
        var discard = Options.DiscardTypeDocDefault;
        Spec spec;
        switch (schema.Type)
        {
            case AvroType.Boolean:
                spec = new Spec { Type = SchemaType.Boolean };
                break;
            case AvroType.Bytes or AvroType.Fixed:
                if (string.Equals(logicalType, LogicalDecimal, StringComparison.OrdinalIgnoreCase))
                {
                    var scale = schema.GetProp("scale") is JsonValue sv && sv.TryGetValue<int>(out var s) ? s : 0;
                    spec = Spec.Logical(SchemaType.Bytes, ConnectDecimal.LogicalName);
                    spec.Parameters[ConnectDecimal.ScaleField] = Invariant(scale);
                    if (schema.GetProp("precision") is { } precisionNode)
                    {
                        if (precisionNode is not JsonValue pv || !pv.TryGetValue<int>(out var precision))
                        {
                            throw new DataException("precision property must be a JSON Integer. https://avro.apache.org/docs/1.9.1/spec.html#Decimal");
                        }
                        if (precision != DecimalPrecisionDefault)
                        {
                            spec.Parameters[ConnectDecimalPrecisionProp] = Invariant(precision);
                        }
                    }
                }
                else
                {
                    spec = new Spec { Type = SchemaType.Bytes };
                }
                if (schema.Type == AvroType.Fixed)
                {
                    spec.Parameters[ConnectFixedSizeProp] = Invariant(schema.FixedSize);
                }
                break;
            case AvroType.Double:
                spec = new Spec { Type = SchemaType.Float64 };
                break;
            case AvroType.Float:
                spec = new Spec { Type = SchemaType.Float32 };
                break;
            case AvroType.Int:
                if (logicalType is not null)
                {
                    spec = string.Equals(logicalType, LogicalDate, StringComparison.OrdinalIgnoreCase) ? Spec.Logical(SchemaType.Int32, Date.LogicalName)
                        : string.Equals(logicalType, LogicalTimeMillis, StringComparison.OrdinalIgnoreCase) ? Spec.Logical(SchemaType.Int32, Time.LogicalName)
                        : new Spec { Type = SchemaType.Int32 };
                }
                else
                {
                    spec = connectType switch
                    {
                        null => new Spec { Type = SchemaType.Int32 },
                        "int8" => new Spec { Type = SchemaType.Int8 },
                        "int16" => new Spec { Type = SchemaType.Int16 },
                        _ => throw new DataException("Connect type annotation for Avro int field is null"),
                    };
                }
                break;
            case AvroType.Long:
                spec = string.Equals(logicalType, LogicalTimestampMillis, StringComparison.OrdinalIgnoreCase)
                    ? Spec.Logical(SchemaType.Int64, Timestamp.LogicalName)
                    : new Spec { Type = SchemaType.Int64 };
                break;
            case AvroType.String:
                spec = new Spec { Type = SchemaType.String };
                break;
            case AvroType.Array:
            {
                var element = schema.ItemSchema!;
                if (IsMapEntry(element))
                {
                    var key = element.GetField(KeyField);
                    var value = element.GetField(ValueField);
                    if (element.Fields.Count != 2 || key is null || value is null)
                    {
                        throw new DataException("Found map encoded as array of key-value pairs, but array elements do not match the expected format.");
                    }
                    spec = new Spec
                    {
                        Type = SchemaType.Map,
                        Key = ToConnect(key.Schema, false, null, null, null, inProgress),
                        Value = ToConnect(value.Schema, false, null, null, null, inProgress),
                    };
                }
                else
                {
                    spec = new Spec { Type = SchemaType.Array, Value = ToConnect(element, false, null, null, null, inProgress) };
                }
                break;
            }
            case AvroType.Map:
                spec = new Spec { Type = SchemaType.Map, Key = Schema.StringSchema, Value = ToConnect(schema.ItemSchema!, false, null, null, null, inProgress) };
                break;
            case AvroType.Record:
            {
                if (!inProgress.Add(schema))
                {
                    throw new DataException($"Recursive Avro schema {schema.FullName} is not supported by this converter");
                }
                spec = new Spec { Type = SchemaType.Struct, Fields = new List<Field>(schema.Fields.Count) };
                if (!discard && meta && schema.Doc is not null)
                {
                    spec.Parameters[AvroRecordDocProp] = schema.Doc;
                }
                foreach (var field in schema.Fields)
                {
                    if (!discard && meta && field.Doc is not null)
                    {
                        spec.Parameters[AvroFieldDocPrefixProp + field.Name] = field.Doc;
                    }
                    var fieldSchema = ToConnect(field.Schema, false, field.HasDefault ? new DefaultSource(field.Default, true) : null, field.Doc, null, inProgress);
                    if (meta && field.GetProp(ConnectParametersProp) is JsonObject fieldParams)
                    {
                        fieldSchema = ApplyFieldLevelParams(fieldSchema, fieldParams);
                    }
                    spec.Fields.Add(new Field(field.Name, spec.Fields.Count, fieldSchema));
                }
                inProgress.Remove(schema);
                break;
            }
            case AvroType.Enum:
            {
                spec = new Spec { Type = SchemaType.String };
                if (meta)
                {
                    if (schema.Doc is not null)
                    {
                        spec.Parameters[discard ? ConnectEnumDocProp : AvroEnumDocPrefixProp + schema.Name] = schema.Doc;
                    }
                    if (!discard && schema.EnumDefault is not null)
                    {
                        spec.Parameters[AvroEnumDefaultPrefixProp + schema.Name] = schema.EnumDefault;
                    }
                }
                var paramName = Options.GeneralizedSumTypeSupport ? GeneralizedTypeEnum : AvroTypeEnum;
                spec.Parameters[paramName] = schema.FullName;
                for (var i = 0; i < schema.Symbols.Count; i++)
                {
                    spec.Parameters[paramName + "." + schema.Symbols[i]] = Options.GeneralizedSumTypeSupport ? Invariant(i) : schema.Symbols[i];
                }
                break;
            }
            case AvroType.Union:
            {
                var branches = schema.Branches;
                if (branches.Count == 1 && Options.FlattenSingletonUnions)
                {
                    return ToConnect(branches[0], false, null, docDefault, null, inProgress);
                }
                if (branches.Count == 2)
                {
                    var nullAt = IsPlainNull(branches[0]) ? 0 : IsPlainNull(branches[1]) ? 1 : -1;
                    if (nullAt >= 0)
                    {
                        return ToConnect(branches[1 - nullAt], true, null, docDefault, null, inProgress);
                    }
                }
                string unionName;
                if (Options.GeneralizedSumTypeSupport)
                {
                    unionName = GeneralizedTypeUnionPrefix + Invariant(Interlocked.Increment(ref _unionIndex) - 1);
                }
                else
                {
                    unionName = AvroTypeUnion;
                }
                spec = new Spec { Type = SchemaType.Struct, Name = unionName, Fields = new List<Field>(branches.Count) };
                if (Options.GeneralizedSumTypeSupport)
                {
                    spec.Parameters[GeneralizedTypeUnion] = unionName;
                }
                var names = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < branches.Count; i++)
                {
                    var member = branches[i];
                    if (member.Type == AvroType.Null)
                    {
                        spec.Optional = true;
                        continue;
                    }
                    var fieldName = UnionMemberFieldName(member, i);
                    if (!names.Add(fieldName))
                    {
                        throw new DataException("Multiple union schemas map to the Connect union field name");
                    }
                    spec.Fields.Add(new Field(fieldName, spec.Fields.Count, ToConnect(member, true, null, null, null, inProgress)));
                }
                break;
            }
            case AvroType.Null:
                throw new DataException("Standalone null schemas are not supported by this converter");
            default:
                throw new DataException($"Couldn't translate unsupported schema type {AvroSchema.TypeName(schema.Type)}.");
        }

        if (discard)
        {
            var docValue = docDefault ?? schema.Doc ?? schema.GetStringProp(ConnectDocProp);
            if (docValue is not null)
            {
                spec.Doc = docValue;
            }
            if (meta && schema.Doc is not null)
            {
                spec.Parameters[ConnectRecordDocProp] = schema.Doc;
            }
        }
        else if (meta && schema.GetStringProp(ConnectDocProp) is { } connectDoc)
        {
            spec.Doc = connectDoc;
        }

        // The schema's own connect.version wins over the registry's version.
        var versionValue = -1;
        if (schema.GetProp(ConnectVersionProp) is { } versionNode)
        {
            if (versionNode is not JsonValue vv || !vv.TryGetValue<int>(out versionValue))
            {
                throw new DataException("Invalid Connect version found: " + versionNode.ToJsonString());
            }
        }
        else if (version is { } registryVersion)
        {
            versionValue = registryVersion;
        }
        if (versionValue >= 0)
        {
            if (spec.Version is { } existing && existing != versionValue)
            {
                throw new DataException($"Mismatched versions: version already added to SchemaBuilder ({existing}) differs from version in source schema ({versionValue})");
            }
            spec.Version = versionValue;
        }

        if (meta && schema.GetProp(ConnectParametersProp) is { } parametersNode)
        {
            if (parametersNode is not JsonObject parameters)
            {
                throw new DataException("Expected JSON object for schema parameters but found: " + parametersNode.ToJsonString());
            }
            foreach (var (key, value) in parameters)
            {
                if (value is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
                {
                    throw new DataException("Expected schema parameter values to be strings but found: " + (value?.ToJsonString() ?? "null"));
                }
                spec.Parameters[key] = text.GetValue<string>();
            }
        }
        foreach (var (key, value) in schema.Props)
        {
            if (key.StartsWith("avro", StringComparison.Ordinal))
            {
                spec.Parameters[key] = value is JsonValue text && text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>() : value?.ToJsonString() ?? "null";
            }
        }

        var connectDefault = schema.GetProp(ConnectDefaultValueProp);
        if (fieldDefault is null)
        {
            fieldDefault = connectDefault is null ? null : new DefaultSource(connectDefault, false);
        }
        else if (!discard && meta && connectDefault is null)
        {
            spec.Parameters[AvroFieldDefaultFlagProp] = "true";
        }

        string? name = null;
        if (schema.GetProp(ConnectNameProp) is { } nameNode)
        {
            name = nameNode is JsonValue nv && nv.GetValueKind() == JsonValueKind.String
                ? nv.GetValue<string>()
                : throw new DataException("Invalid schema name: " + nameNode.ToJsonString());
        }
        else if (schema.Type is AvroType.Record or AvroType.Enum)
        {
            name = schema.FullName;
        }
        else if (schema.Type == AvroType.Fixed && spec.Name != ConnectDecimal.LogicalName)
        {
            name = schema.FullName;
        }
        if (name is not null && !name.StartsWith(DefaultSchemaFullName, StringComparison.Ordinal))
        {
            if (spec.Name is not null && spec.Name != name)
            {
                throw new DataException($"Mismatched names: name already added to SchemaBuilder ({spec.Name}) differs from name in source schema ({name})");
            }
            spec.Name = name;
        }
        if (forceOptional)
        {
            spec.Optional = true;
        }

        var bare = spec.Build(null);
        if (fieldDefault is null)
        {
            return bare;
        }
        try
        {
            var defaultValue = DefaultValueFromJson(bare, schema, fieldDefault.Json);
            if (defaultValue is null)
            {
                return bare;
            }
            ConnectSchema.ValidateValue(bare, defaultValue);
            return spec.Build(defaultValue);
        }
        catch (Exception e) when (e is DataException or InvalidCastException or OverflowException or FormatException)
        {
            return bare; // Confluent ignores an invalid default with a warning
        }
    }

    private static bool IsPlainNull(AvroSchema schema) => schema.Type == AvroType.Null && schema.Props.Count == 0;

    private static bool IsMapEntry(AvroSchema schema) =>
        schema.Type == AvroType.Record
        && ((schema.Namespace == Namespace && schema.Name == MapEntryTypeName) || schema.GetStringProp(ConnectInternalTypeName) == MapEntryTypeName);

    // A reused named type carries its per-use parameters on the field; rebuild the schema with them when they differ.
    private static Schema ApplyFieldLevelParams(Schema original, JsonObject fieldParams)
    {
        var same = true;
        foreach (var (key, value) in fieldParams)
        {
            var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString();
            if (!original.Parameters.TryGetValue(key, out var existing) || existing != text)
            {
                same = false;
                break;
            }
        }
        if (same)
        {
            return original;
        }
        var parameters = new Dictionary<string, string>(original.Parameters, StringComparer.Ordinal);
        foreach (var (key, value) in fieldParams)
        {
            parameters[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "null";
        }
        return new ConnectSchema(original.Type, original.IsOptional, original.DefaultValue, original.Name, original.Version, original.Doc,
            parameters, original.Type == SchemaType.Struct ? original.Fields : null, original.KeySchema, original.ValueSchema);
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
