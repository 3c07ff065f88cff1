using System.Text;
using System.Text.Json.Nodes;
using KafkaConnect.Schemas;

namespace KafkaConnect.Connect.Avro;

/// <summary>
/// The Connect schema ↔ Avro schema mapping of Confluent's <c>io.confluent.connect.avro.AvroData</c>, rule for rule, so
/// schemas we register are the ones Confluent's converter registers for the same Connect schema and schemas it wrote read
/// back as the same Connect schemas. Stateless apart from the options (and the generalized-union counter Confluent keeps);
/// caching is <see cref="AvroConverter"/>'s.
/// </summary>
public sealed partial class AvroData
{
    public const string Namespace = "io.confluent.connect.avro";
    public const string DefaultSchemaName = "ConnectDefault";
    public const string DefaultSchemaFullName = Namespace + "." + DefaultSchemaName;
    public const string MapEntryTypeName = "MapEntry";
    public const string KeyField = "key";
    public const string ValueField = "value";

    public const string ConnectNameProp = "connect.name";
    public const string ConnectDocProp = "connect.doc";
    public const string ConnectRecordDocProp = "connect.record.doc";
    public const string ConnectEnumDocProp = "connect.enum.doc";
    public const string ConnectVersionProp = "connect.version";
    public const string ConnectDefaultValueProp = "connect.default";
    public const string ConnectParametersProp = "connect.parameters";
    public const string ConnectInternalTypeName = "connect.internal.type";
    public const string ConnectTypeProp = "connect.type";
    public const string AvroRecordDocProp = Namespace + ".record.doc";
    public const string AvroEnumDocPrefixProp = Namespace + ".enum.doc.";
    public const string AvroFieldDocPrefixProp = Namespace + ".field.doc.";
    public const string AvroFieldDefaultFlagProp = Namespace + ".field.default";
    public const string AvroEnumDefaultPrefixProp = Namespace + ".enum.default.";
    public const string AvroTypeUnion = Namespace + ".Union";
    public const string AvroTypeEnum = Namespace + ".Enum";
    public const string GeneralizedTypeUnion = "org.apache.kafka.connect.data.Union";
    public const string GeneralizedTypeEnum = "org.apache.kafka.connect.data.Enum";
    public const string GeneralizedTypeUnionPrefix = "connect_union_";
    public const string GeneralizedTypeUnionFieldPrefix = GeneralizedTypeUnionPrefix + "field_";
    public const string ConnectFixedSizeProp = "connect.fixed.size";
    public const string ConnectDecimalPrecisionProp = "connect.decimal.precision";
    public const int DecimalPrecisionDefault = 64;

    internal const string LogicalTypeProp = "logicalType";
    internal const string LogicalTimestampMillis = "timestamp-millis";
    internal const string LogicalTimeMillis = "time-millis";
    internal const string LogicalDate = "date";
    internal const string LogicalDecimal = "decimal";

    private int _unionIndex;

    public AvroData(AvroDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    public AvroDataOptions Options { get; }

    /// <summary>Connect schema → Avro schema (Confluent's <c>fromConnectSchema</c>).</summary>
    /// <exception cref="DataException">A name Avro cannot hold (see <c>scrub.invalid.names</c>) or an unsupported shape.</exception>
    public AvroSchema FromConnectSchema(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        try
        {
            return new FromConnectContext(this).Convert(schema, ignoreOptional: false);
        }
        catch (SchemaParseException e)
        {
            // The model refuses what Avro forbids (a property set twice with two values): a data error to the worker.
            throw new AvroSchemaException(e.Message, e);
        }
    }

    internal static bool IsUnionSchema(Schema schema) =>
        schema.Name == AvroTypeUnion || schema.Parameters.ContainsKey(GeneralizedTypeUnion);

    internal static bool IsEnumSchema(Schema schema) =>
        schema.Type == SchemaType.String
        && (schema.Parameters.ContainsKey(GeneralizedTypeEnum) || schema.Parameters.ContainsKey(AvroTypeEnum));

    internal static bool IsFixedSchema(Schema schema) =>
        schema.Type == SchemaType.Bytes && schema.Name is not null && schema.Parameters.ContainsKey(ConnectFixedSizeProp);

    internal static bool IsStringKeyedMap(Schema schema, bool allowOptionalMapKeys) =>
        schema.KeySchema!.Type == SchemaType.String && (!schema.KeySchema.IsOptional || allowOptionalMapKeys);

    /// <summary>The same schema, required: how Confluent builds the non-null member of an optional struct's union.</summary>
    internal static Schema NonOptional(Schema schema) => new ConnectSchema(
        schema.Type, false, schema.DefaultValue, schema.Name, schema.Version, schema.Doc, schema.Parameters,
        schema.Type == SchemaType.Struct ? schema.Fields : null, schema.KeySchema, schema.ValueSchema);

    internal string UnionMemberFieldName(AvroSchema schema, int index)
    {
        if (Options.GeneralizedSumTypeSupport)
        {
            return GeneralizedTypeUnionFieldPrefix + index;
        }
        if (schema.IsNamed)
        {
            return Options.EnhancedSchemaSupport ? schema.FullName : schema.Name!;
        }
        return AvroSchema.TypeName(schema.Type);
    }

    internal string UnionMemberFieldName(Schema schema, int index)
    {
        if (Options.GeneralizedSumTypeSupport)
        {
            return GeneralizedTypeUnionFieldPrefix + index;
        }
        if (schema.Type == SchemaType.Struct || IsEnumSchema(schema) || IsFixedSchema(schema))
        {
            return Options.EnhancedSchemaSupport ? ScrubFullName(schema.Name, Options.ScrubInvalidNames)! : SplitName(schema.Name, Options.ScrubInvalidNames).Name!;
        }
        return schema.Type switch
        {
            SchemaType.Int32 => "int",
            SchemaType.Int64 => "long",
            SchemaType.Float32 => "float",
            SchemaType.Float64 => "double",
            SchemaType.Boolean => "boolean",
            SchemaType.String => "string",
            SchemaType.Bytes => "bytes",
            SchemaType.Array => "array",
            SchemaType.Map => "map",
            _ => throw new DataException($"A {schema.Type} schema cannot be a union member"),
        };
    }

    internal string ScrubName(string name) => Options.ScrubInvalidNames ? DoScrubName(name) : name;

    /// <summary>
    /// Confluent's name scrubbing: names that are already valid stay; others are URL-encoded (UTF-8, as Java's
    /// URLEncoder), prefixed with 'x' when they would start with a digit, and every remaining invalid character becomes '_'.
    /// </summary>
    public static string DoScrubName(string name)
    {
        if (string.IsNullOrEmpty(name) || (AvroSchemaParser.IsValidName(name)))
        {
            return name;
        }
        var encoded = JavaUrlEncode(name);
        if (char.IsAsciiDigit(encoded[0]))
        {
            encoded = "x" + encoded;
        }
        var chars = encoded.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_'))
            {
                chars[i] = '_';
            }
        }
        return new string(chars);
    }

    // java.net.URLEncoder with UTF-8: letters, digits and ".-*_" stay, space becomes '+', the rest %XX per UTF-8 byte.
    private static string JavaUrlEncode(string text)
    {
        var sb = new StringBuilder(text.Length * 3);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '*' or '_')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                var length = char.IsHighSurrogate(c) && i + 1 < text.Length
                    ? Encoding.UTF8.GetBytes(text.AsSpan(i++, 2), utf8)
                    : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), utf8);
                foreach (var b in utf8[..length])
                {
                    sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        return sb.ToString();
    }

    internal static string? ScrubFullName(string? name, bool scrub)
    {
        if (name is null || !scrub)
        {
            return name;
        }
        var (ns, simple) = SplitName(name, scrub);
        return ns is null ? simple : ns + "." + simple;
    }

    /// <summary>Splits a dotted full name into namespace and simple name, scrubbing each part when asked.</summary>
    internal static (string? Namespace, string? Name) SplitName(string? fullName, bool scrub)
    {
        if (string.IsNullOrEmpty(fullName))
        {
            return (null, fullName);
        }
        // Java's String.split drops trailing empty strings.
        var parts = fullName.Split('.').ToList();
        while (parts.Count > 1 && parts[^1].Length == 0)
        {
            parts.RemoveAt(parts.Count - 1);
        }
        for (var i = 0; i < parts.Count; i++)
        {
            parts[i] = scrub ? DoScrubName(parts[i]) : parts[i];
        }
        return parts.Count <= 1 ? (null, parts[0]) : (string.Join('.', parts.Take(parts.Count - 1)), parts[^1]);
    }

    private static bool IsLogical(Schema schema, string logicalName) =>
        string.Equals(schema.Name, logicalName, StringComparison.OrdinalIgnoreCase);

    private static JsonNode? ParametersToJson(IReadOnlyDictionary<string, string> parameters, bool discardTypeDocDefault)
    {
        var result = new JsonObject();
        foreach (var (key, value) in parameters)
        {
            if (discardTypeDocDefault || key != AvroFieldDefaultFlagProp)
            {
                result[key] = value;
            }
        }
        return result.Count == 0 ? null : result;
    }

    private sealed class FromConnectContext
    {
        private readonly AvroData _data;
        private readonly AvroDataOptions _options;
        private readonly Dictionary<Schema, AvroSchema> _schemaMap = [];
        private readonly Dictionary<string, AvroSchema> _cycleReferences = new(StringComparer.Ordinal);
        private readonly HashSet<string> _seenNamedTypes = new(StringComparer.Ordinal);
        private int _defaultNameIndex;

        public FromConnectContext(AvroData data)
        {
            _data = data;
            _options = data.Options;
        }

        public AvroSchema Convert(Schema schema, bool ignoreOptional)
        {
            if (!IsUnionSchema(schema) && !schema.IsOptional && _schemaMap.TryGetValue(schema, out var cached))
            {
                return cached;
            }
            string? connectType = null;
            AvroSchema baseSchema;
            var parameters = schema.Parameters;
            switch (schema.Type)
            {
                case SchemaType.Int8:
                    connectType = "int8";
                    baseSchema = AvroSchema.PrimitiveWithProps(AvroType.Int);
                    break;
                case SchemaType.Int16:
                    connectType = "int16";
                    baseSchema = AvroSchema.PrimitiveWithProps(AvroType.Int);
                    break;
                case SchemaType.Int32:
                    baseSchema = AvroSchema.PrimitiveWithProps(AvroType.Int);
                    break;
                case SchemaType.Int64:
                    baseSchema = AvroSchema.PrimitiveWithProps(AvroType.Long);
                    break;
                case SchemaType.Float32:
                    baseSchema = AvroSchema.PrimitiveWithProps(AvroType.Float);
                    break;
                case SchemaType.Float64:
                    baseSchema = AvroSchema.PrimitiveWithProps(AvroType.Double);
                    break;
                case SchemaType.Boolean:
                    baseSchema = AvroSchema.PrimitiveWithProps(AvroType.Boolean);
                    break;
                case SchemaType.String:
                    baseSchema = (_options.GeneralizedSumTypeSupport || _options.EnhancedSchemaSupport)
                        && (parameters.ContainsKey(GeneralizedTypeEnum) || parameters.ContainsKey(AvroTypeEnum))
                        ? EnumFromConnect(schema)
                        : AvroSchema.PrimitiveWithProps(AvroType.String);
                    break;
                case SchemaType.Bytes:
                    if (IsFixedSchema(schema))
                    {
                        var (ns, name) = NameOrDefault(schema.Name);
                        baseSchema = AvroSchema.Fixed(name, ns, null, ParseInt(parameters[ConnectFixedSizeProp], ConnectFixedSizeProp));
                    }
                    else
                    {
                        baseSchema = AvroSchema.PrimitiveWithProps(AvroType.Bytes);
                    }
                    if (IsLogical(schema, ConnectDecimal.LogicalName))
                    {
                        baseSchema.AddProp("scale", ParseInt(parameters.GetValueOrDefault(ConnectDecimal.ScaleField) ?? "0", "scale"));
                        baseSchema.AddProp("precision", parameters.TryGetValue(ConnectDecimalPrecisionProp, out var p)
                            ? ParseInt(p, ConnectDecimalPrecisionProp)
                            : DecimalPrecisionDefault);
                    }
                    break;
                case SchemaType.Array:
                    baseSchema = AvroSchema.Array(ConvertWithCycle(schema.ValueSchema!, false));
                    break;
                case SchemaType.Map:
                    if (IsStringKeyedMap(schema, _options.AllowOptionalMapKeys))
                    {
                        baseSchema = AvroSchema.Map(ConvertWithCycle(schema.ValueSchema!, false));
                    }
                    else
                    {
                        // Avro maps only have string keys: other maps are arrays of key/value records.
                        AvroSchema entry;
                        if (schema.Name is null)
                        {
                            entry = AvroSchema.Record(MapEntryTypeName, Namespace, null);
                        }
                        else
                        {
                            var (ns, name) = NameOrDefault(schema.Name);
                            entry = AvroSchema.Record(name, ns, null);
                            entry.AddProp(ConnectInternalTypeName, MapEntryTypeName);
                        }
                        var entryFields = new List<AvroField>(2);
                        AddField(entryFields, KeyField, schema.KeySchema!, null);
                        AddField(entryFields, ValueField, schema.ValueSchema!, null);
                        entry.SetFields(entryFields);
                        baseSchema = AvroSchema.Array(entry);
                    }
                    break;
                case SchemaType.Struct:
                    if (IsUnionSchema(schema))
                    {
                        var branches = new List<AvroSchema>(schema.Fields.Count + 1);
                        if (schema.IsOptional)
                        {
                            branches.Add(AvroSchema.Primitive(AvroType.Null));
                        }
                        foreach (var field in schema.Fields)
                        {
                            branches.Add(ConvertWithCycle(NonOptional(field.Schema), true));
                        }
                        baseSchema = AvroSchema.Union(branches);
                    }
                    else if (schema.IsOptional)
                    {
                        baseSchema = AvroSchema.Union([AvroSchema.Primitive(AvroType.Null), ConvertWithCycle(NonOptional(schema), false)]);
                    }
                    else
                    {
                        var (ns, name) = NameOrDefault(schema.Name);
                        var doc = parameters.GetValueOrDefault(_options.DiscardTypeDocDefault ? ConnectRecordDocProp : AvroRecordDocProp);
                        var record = AvroSchema.Record(name, ns, doc);
                        if (schema.Name is not null)
                        {
                            _cycleReferences[schema.Name] = record;
                        }
                        var fields = new List<AvroField>(schema.Fields.Count);
                        foreach (var field in schema.Fields)
                        {
                            var fieldDoc = _options.DiscardTypeDocDefault ? null : parameters.GetValueOrDefault(AvroFieldDocPrefixProp + field.Name);
                            AddField(fields, _data.ScrubName(field.Name), field.Schema, fieldDoc);
                        }
                        record.SetFields(fields);
                        baseSchema = record;
                    }
                    break;
                default:
                    throw new DataException("Unknown schema type: " + schema.Type);
            }

            var finalSchema = baseSchema;
            if (baseSchema.Type != AvroType.Union)
            {
                AddMetadata(schema, baseSchema, connectType);
                if (!ignoreOptional)
                {
                    finalSchema = MaybeMakeOptional(schema, baseSchema);
                }
            }
            if (!schema.IsOptional)
            {
                _schemaMap[schema] = finalSchema;
            }
            return finalSchema;
        }

        private AvroSchema EnumFromConnect(Schema schema)
        {
            var parameters = schema.Parameters;
            var paramName = _options.GeneralizedSumTypeSupport ? GeneralizedTypeEnum : AvroTypeEnum;
            var prefix = paramName + ".";
            var symbols = new List<string>();
            foreach (var key in parameters.Keys)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    symbols.Add(key[prefix.Length..]);
                }
            }
            if (_options.GeneralizedSumTypeSupport)
            {
                // Generalized enums carry each symbol's ordinal; order by it (our parameters do not keep insertion order).
                symbols.Sort((a, b) => OrdinalOf(a).CompareTo(OrdinalOf(b)));
            }
            var (_, name) = NameOrDefault(schema.Name);
            var enumName = parameters.GetValueOrDefault(paramName)
                ?? throw new DataException($"Enum schema {schema.Name} has no {paramName} parameter");
            var (ns, simple) = SplitName(enumName, false);
            foreach (var symbol in symbols)
            {
                if (!AvroSchemaParser.IsValidName(symbol))
                {
                    throw new DataException($"Illegal enum symbol: {symbol}");
                }
            }
            CheckName(simple!, ns, enumName);
            return _options.DiscardTypeDocDefault
                ? AvroSchema.Enum(simple!, ns, parameters.GetValueOrDefault(ConnectEnumDocProp), symbols, null)
                : AvroSchema.Enum(simple!, ns, parameters.GetValueOrDefault(AvroEnumDocPrefixProp + name), symbols,
                    parameters.GetValueOrDefault(AvroEnumDefaultPrefixProp + name));

            int OrdinalOf(string symbol) => int.TryParse(parameters[prefix + symbol], out var i) ? i : int.MaxValue;
        }

        private void AddMetadata(Schema schema, AvroSchema baseSchema, string? connectType)
        {
            var parameters = schema.Parameters;
            if (_options.ConnectMetaData)
            {
                if (schema.Doc is not null)
                {
                    baseSchema.AddProp(ConnectDocProp, schema.Doc);
                }
                if (schema.Version is { } version)
                {
                    baseSchema.AddProp(ConnectVersionProp, version);
                }
                if (ParametersToJson(parameters, _options.DiscardTypeDocDefault) is { } json)
                {
                    baseSchema.AddProp(ConnectParametersProp, json);
                }
                if (schema.DefaultValue is not null
                    && (_options.DiscardTypeDocDefault || !parameters.ContainsKey(AvroFieldDefaultFlagProp)))
                {
                    baseSchema.AddProp(ConnectDefaultValueProp, _data.DefaultValueToJson(schema, schema.DefaultValue));
                }
                if (schema.Name is not null)
                {
                    baseSchema.AddProp(ConnectNameProp, schema.Name);
                }
                if (connectType is not null)
                {
                    baseSchema.AddProp(ConnectTypeProp, connectType);
                }
            }

            var forceLegacyDecimal = false;
            if (IsLogical(schema, ConnectDecimal.LogicalName))
            {
                var precision = parameters.TryGetValue(ConnectDecimalPrecisionProp, out var p) ? ParseInt(p, ConnectDecimalPrecisionProp) : DecimalPrecisionDefault;
                var scale = parameters.TryGetValue(ConnectDecimal.ScaleField, out var s) ? ParseInt(s, "scale") : 0;
                if (scale < 0 || scale > precision)
                {
                    // Not a valid Avro decimal: only the legacy logicalType property, as Confluent falls back to.
                    forceLegacyDecimal = true;
                }
                else
                {
                    baseSchema.AddProp(LogicalTypeProp, LogicalDecimal);
                    baseSchema.AddProp("precision", precision);
                    baseSchema.AddProp("scale", scale);
                }
                if (forceLegacyDecimal || parameters.ContainsKey(ConnectDecimalPrecisionProp))
                {
                    baseSchema.AddProp(LogicalTypeProp, LogicalDecimal);
                }
            }
            else if (IsLogical(schema, Time.LogicalName))
            {
                baseSchema.AddProp(LogicalTypeProp, LogicalTimeMillis);
            }
            else if (IsLogical(schema, Timestamp.LogicalName))
            {
                baseSchema.AddProp(LogicalTypeProp, LogicalTimestampMillis);
            }
            else if (IsLogical(schema, Date.LogicalName))
            {
                baseSchema.AddProp(LogicalTypeProp, LogicalDate);
            }

            foreach (var (key, value) in parameters)
            {
                if (key.StartsWith("avro", StringComparison.Ordinal))
                {
                    baseSchema.AddProp(key, value);
                }
            }
        }

        private AvroSchema ConvertWithCycle(Schema schema, bool ignoreOptional)
        {
            if (schema.Name is not null && _cycleReferences.TryGetValue(schema.Name, out var resolved))
            {
                return ignoreOptional ? resolved : MaybeMakeOptional(schema, resolved);
            }
            return Convert(schema, ignoreOptional);
        }

        private static AvroSchema MaybeMakeOptional(Schema schema, AvroSchema baseSchema)
        {
            if (!schema.IsOptional)
            {
                return baseSchema;
            }
            var nullSchema = AvroSchema.Primitive(AvroType.Null);
            // A default must match the union's first branch, so a schema with one puts null second.
            return schema.DefaultValue is not null ? AvroSchema.Union([baseSchema, nullSchema]) : AvroSchema.Union([nullSchema, baseSchema]);
        }

        private void AddField(List<AvroField> fields, string fieldName, Schema fieldSchema, string? fieldDoc)
        {
            JsonNode? defaultValue = null;
            var hasDefault = false;
            if (fieldSchema.DefaultValue is not null)
            {
                // Confluent passes the default through Java objects, which turns float nodes into doubles.
                defaultValue = FloatsToDoubles(_data.DefaultValueToJson(fieldSchema, fieldSchema.DefaultValue));
                hasDefault = true;
            }
            else if (fieldSchema.IsOptional)
            {
                hasDefault = true;
            }
            var scrubbedName = ScrubFullName(fieldSchema.Name, _options.ScrubInvalidNames);
            var alreadySeen = scrubbedName is not null && !_seenNamedTypes.Add(scrubbedName);
            var schema = Convert(fieldSchema, false);
            if (hasDefault && !IsValidDefault(schema, defaultValue))
            {
                hasDefault = false; // Avro rejects it; Confluent drops it with a warning.
                defaultValue = null;
            }
            if (!AvroSchemaParser.IsValidName(fieldName))
            {
                throw new DataException($"Illegal character in field name: {fieldName} (set scrub.invalid.names=true to replace invalid characters)");
            }
            var field = new AvroField(fieldName, schema, _options.DiscardTypeDocDefault ? fieldSchema.Doc : fieldDoc, hasDefault, defaultValue);
            if (_options.ConnectMetaData && alreadySeen && fieldSchema.Parameters.Count > 0 && IsNamedAvroType(schema)
                && ParametersToJson(fieldSchema.Parameters, _options.DiscardTypeDocDefault) is { } fieldParams)
            {
                // A named type written again is only a reference; keep this use's parameters on the field.
                field.AddProp(ConnectParametersProp, fieldParams);
            }
            fields.Add(field);
        }

        private (string? Namespace, string Name) NameOrDefault(string? name)
        {
            if (name is not null)
            {
                var (ns, simple) = SplitName(name, _options.ScrubInvalidNames);
                CheckName(simple ?? string.Empty, ns, name);
                return (ns, simple!);
            }
            var index = ++_defaultNameIndex;
            return (Namespace, DefaultSchemaName + (index > 1 ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty));
        }

        private static void CheckName(string simple, string? ns, string original)
        {
            if (!AvroSchemaParser.IsValidName(simple) || (ns is not null && !ns.Split('.').All(AvroSchemaParser.IsValidName)))
            {
                throw new DataException($"Illegal character in schema name: {original} (set scrub.invalid.names=true to replace invalid characters)");
            }
        }

        private static bool IsNamedAvroType(AvroSchema schema) =>
            schema.IsNamed || (schema.Type == AvroType.Union && schema.Branches.Any(b => b.IsNamed));

        private static int ParseInt(string text, string what) =>
            int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new DataException($"Invalid {what} parameter: {text}");
    }

    private static JsonNode? FloatsToDoubles(JsonNode? node)
    {
        switch (node)
        {
            case JsonValue v when v.TryGetValue<float>(out var f) && !v.TryGetValue<double>(out _):
                return JsonValue.Create((double)f);
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var converted = FloatsToDoubles(array[i]);
                    if (!ReferenceEquals(converted, array[i]))
                    {
                        array[i] = converted;
                    }
                }
                return array;
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var converted = FloatsToDoubles(obj[key]);
                    if (!ReferenceEquals(converted, obj[key]))
                    {
                        obj[key] = converted;
                    }
                }
                return obj;
            default:
                return node;
        }
    }

    /// <summary>Avro's default-value check (a union accepts a default that fits any branch, as Avro 1.11+ does).</summary>
    internal static bool IsValidDefault(AvroSchema schema, JsonNode? value)
    {
        var kind = value?.GetValueKind() ?? System.Text.Json.JsonValueKind.Null;
        switch (schema.Type)
        {
            case AvroType.Union:
                return schema.Branches.Any(b => IsValidDefault(b, value));
            case AvroType.String or AvroType.Bytes or AvroType.Enum or AvroType.Fixed:
                return kind == System.Text.Json.JsonValueKind.String;
            case AvroType.Int:
                return value is JsonValue iv && iv.TryGetValue<int>(out _) || (value is JsonValue lv && lv.TryGetValue<long>(out var l) && l is >= int.MinValue and <= int.MaxValue);
            case AvroType.Long:
                return value is JsonValue v && v.TryGetValue<long>(out _);
            case AvroType.Float or AvroType.Double:
                return kind == System.Text.Json.JsonValueKind.Number;
            case AvroType.Boolean:
                return kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False;
            case AvroType.Null:
                return kind == System.Text.Json.JsonValueKind.Null;
            case AvroType.Array:
                return value is JsonArray array && array.All(e => IsValidDefault(schema.ItemSchema!, e));
            case AvroType.Map:
                return value is JsonObject map && map.All(e => IsValidDefault(schema.ItemSchema!, e.Value));
            case AvroType.Record:
                if (value is not JsonObject record)
                {
                    return false;
                }
                foreach (var field in schema.Fields)
                {
                    if (record.TryGetPropertyValue(field.Name, out var fieldValue)
                        ? !IsValidDefault(field.Schema, fieldValue)
                        : !field.HasDefault)
                    {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }
}
