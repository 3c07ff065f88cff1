using System.Globalization;
using System.Runtime.CompilerServices;

namespace KafkaConnect.Schemas.Avro;

/// <summary>
/// Avro's schema-resolution rules as Java Avro's <c>SchemaCompatibility</c> applies them: whether data written with one
/// schema can be read with another. The registry reports each incompatibility as Confluent's Difference does
/// (<c>{errorType:'…', description:'…', additionalInfo:'…'}</c>, the location as a JSON pointer, a first "%s" for the
/// reader's side and a second for the writer's); the converter's <c>latest.compatibility.strict</c> asks only yes or no.
/// </summary>
public sealed class AvroCompatibility
{
    private readonly List<string> _location = [];
    private readonly Dictionary<(AvroSchema, AvroSchema), bool> _memo = new(new PairComparer());

    private AvroCompatibility()
    {
    }

    /// <summary>True when <paramref name="reader"/> can read data written with <paramref name="writer"/>.</summary>
    public static bool CanRead(AvroSchema reader, AvroSchema writer) => Check(reader, writer).Count == 0;

    /// <summary>Every reason <paramref name="reader"/> cannot read data written with <paramref name="writer"/>, in Java's order.</summary>
    public static List<string> Check(AvroSchema reader, AvroSchema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        var result = new List<string>();
        new AvroCompatibility().Compute(reader, writer, result);
        return result;
    }

    private bool Compute(AvroSchema reader, AvroSchema writer, List<string> result)
    {
        if (!reader.IsNamed)
        {
            // Primitive instances are shared, so only named pairs are remembered (Java's are per occurrence, except named ones).
            var count = result.Count;
            Calculate(reader, writer, result);
            return result.Count == count;
        }
        var key = (reader, writer);
        if (_memo.TryGetValue(key, out var known))
        {
            return known;
        }
        // Recursive types: assume compatible while the pair is being computed, as Java does.
        _memo[key] = true;
        var before = result.Count;
        Calculate(reader, writer, result);
        var ok = result.Count == before;
        _memo[key] = ok;
        return ok;
    }

    private bool At(string token, AvroSchema reader, AvroSchema writer, List<string> result)
    {
        _location.Add(token);
        try
        {
            return Compute(reader, writer, result);
        }
        finally
        {
            _location.RemoveAt(_location.Count - 1);
        }
    }

    private void Calculate(AvroSchema reader, AvroSchema writer, List<string> result)
    {
        if (reader.Type == writer.Type)
        {
            switch (reader.Type)
            {
                case AvroType.Array:
                    At("items", reader.ItemSchema!, writer.ItemSchema!, result);
                    return;
                case AvroType.Map:
                    At("values", reader.ItemSchema!, writer.ItemSchema!, result);
                    return;
                case AvroType.Fixed:
                    CheckNames(reader, writer, result);
                    if (reader.FixedSize != writer.FixedSize)
                    {
                        _location.Add("size");
                        Add(result, "FIXED_SIZE_MISMATCH", $"The size of FIXED type field at path '{Path()}' in the %s schema does not match with the %s schema",
                            $"expected: {writer.FixedSize}, found: {reader.FixedSize}");
                        _location.RemoveAt(_location.Count - 1);
                    }
                    return;
                case AvroType.Enum:
                    CheckNames(reader, writer, result);
                    if (reader.EnumDefault is null)
                    {
                        var missing = writer.Symbols.Where(s => !reader.Symbols.Contains(s)).Order(StringComparer.Ordinal).ToList();
                        if (missing.Count > 0)
                        {
                            _location.Add("symbols");
                            var info = "[" + string.Join(", ", missing) + "]";
                            Add(result, "MISSING_ENUM_SYMBOLS", $"The %s schema is missing enum symbols '{info}' at path '{Path()}' in the %s schema", info);
                            _location.RemoveAt(_location.Count - 1);
                        }
                    }
                    return;
                case AvroType.Record:
                    CheckNames(reader, writer, result);
                    _location.Add("fields");
                    foreach (var rf in reader.Fields)
                    {
                        _location.Add(rf.Position.ToString(CultureInfo.InvariantCulture));
                        var wf = writer.GetField(rf.Name) ?? rf.Aliases.Select(writer.GetField).FirstOrDefault(f => f is not null);
                        if (wf is null)
                        {
                            if (!rf.HasDefault)
                            {
                                if (rf.Schema.Type == AvroType.Enum && rf.Schema.EnumDefault is not null)
                                {
                                    At("type", rf.Schema, writer, result);
                                }
                                else
                                {
                                    Add(result, "READER_FIELD_MISSING_DEFAULT_VALUE",
                                        $"The field '{rf.Name}' at path '{Path()}' in the %s schema has no default value and is missing in the %s schema", rf.Name);
                                }
                            }
                        }
                        else
                        {
                            At("type", rf.Schema, wf.Schema, result);
                        }
                        _location.RemoveAt(_location.Count - 1);
                    }
                    _location.RemoveAt(_location.Count - 1);
                    return;
                case AvroType.Union:
                    for (var i = 0; i < writer.Branches.Count; i++)
                    {
                        _location.Add(i.ToString(CultureInfo.InvariantCulture));
                        var branch = writer.Branches[i];
                        if (!Compute(reader, branch, []))
                        {
                            Add(result, "MISSING_UNION_BRANCH", $"The %s schema is missing a type inside a union field at path '{Path()}' in the %s schema",
                                "reader union lacking writer type: " + JavaTypeName(branch));
                        }
                        _location.RemoveAt(_location.Count - 1);
                    }
                    return;
                default:
                    return;
            }
        }
        if (writer.Type == AvroType.Union)
        {
            for (var i = 0; i < writer.Branches.Count; i++)
            {
                At(i.ToString(CultureInfo.InvariantCulture), reader, writer.Branches[i], result);
            }
            return;
        }
        // int → long, float, double; long → float, double; float → double; string ↔ bytes.
        var promoted = reader.Type switch
        {
            AvroType.Long => writer.Type == AvroType.Int,
            AvroType.Float => writer.Type is AvroType.Int or AvroType.Long,
            AvroType.Double => writer.Type is AvroType.Int or AvroType.Long or AvroType.Float,
            AvroType.Bytes => writer.Type == AvroType.String,
            AvroType.String => writer.Type == AvroType.Bytes,
            _ => false,
        };
        if (promoted)
        {
            return;
        }
        if (reader.Type == AvroType.Union)
        {
            if (reader.Branches.Any(b => Compute(b, writer, [])))
            {
                return;
            }
            Add(result, "MISSING_UNION_BRANCH", $"The %s schema is missing a type inside a union field at path '{Path()}' in the %s schema",
                "reader union lacking writer type: " + JavaTypeName(writer));
            return;
        }
        Add(result, "TYPE_MISMATCH", $"The type (path '{Path()}') of a field in the %s schema does not match with the %s schema",
            $"reader type: {JavaTypeName(reader)} not compatible with writer type: {JavaTypeName(writer)}");
    }

    private void CheckNames(AvroSchema reader, AvroSchema writer, List<string> result)
    {
        // Java compares the unqualified names, then the reader's aliases against the writer's full name.
        if (reader.Name == writer.Name || reader.Aliases.Contains(writer.FullName))
        {
            return;
        }
        _location.Add("name");
        Add(result, "NAME_MISMATCH", $"The name of the schema has changed (path '{Path()}')", "expected: " + writer.FullName);
        _location.RemoveAt(_location.Count - 1);
    }

    /// <summary>Java Avro's Schema.Type name, as its compatibility messages print it.</summary>
    private static string JavaTypeName(AvroSchema schema) => AvroSchema.TypeName(schema.Type).ToUpperInvariant();

    private string Path() => "/" + string.Join("/", _location.Select(s => s.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));

    private static void Add(List<string> result, string type, string description, string info) =>
        result.Add($"{{errorType:'{type}', description:'{description}', additionalInfo:'{info}'}}");

    private sealed class PairComparer : IEqualityComparer<(AvroSchema, AvroSchema)>
    {
        public bool Equals((AvroSchema, AvroSchema) x, (AvroSchema, AvroSchema) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((AvroSchema, AvroSchema) obj) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Item1), RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
