using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KafkaConnect.ProtocolGen;

/// <summary>An inclusive version interval; Lo &gt; Hi means empty ("none").</summary>
internal readonly record struct VersionRange(short Lo, short Hi)
{
    public static readonly VersionRange None = new(1, 0);
    public static readonly VersionRange All = new(0, short.MaxValue);

    public bool IsEmpty => Lo > Hi;

    public bool Contains(short v) => v >= Lo && v <= Hi;

    public VersionRange Intersect(VersionRange o) => new(Math.Max(Lo, o.Lo), Math.Min(Hi, o.Hi));

    /// <summary>Versions of <paramref name="ctx"/> outside this range; a superset when the result would be two pieces.</summary>
    public VersionRange ComplementWithin(VersionRange ctx)
    {
        var i = Intersect(ctx);
        if (i.IsEmpty) return ctx;
        if (i.Lo <= ctx.Lo && i.Hi >= ctx.Hi) return None;
        if (i.Lo <= ctx.Lo) return new((short)(i.Hi + 1), ctx.Hi);
        if (i.Hi >= ctx.Hi) return new(ctx.Lo, (short)(i.Lo - 1));
        return ctx;
    }

    public static VersionRange Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "none") return None;
        text = text.Trim();
        if (text.EndsWith('+')) return new(short.Parse(text[..^1], CultureInfo.InvariantCulture), short.MaxValue);
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
            return new(short.Parse(text[..dash], CultureInfo.InvariantCulture), short.Parse(text[(dash + 1)..], CultureInfo.InvariantCulture));
        var v = short.Parse(text, CultureInfo.InvariantCulture);
        return new(v, v);
    }

    public override string ToString()
        => IsEmpty ? "none" : Hi == short.MaxValue ? $"{Lo}+" : Lo == Hi ? $"{Lo}" : $"{Lo}-{Hi}";
}

internal sealed class FieldSpec
{
    public required string Name { get; init; }
    /// <summary>C# property name after clash resolution.</summary>
    public string PropName { get; set; } = "";
    public required string Type { get; init; }
    public required VersionRange Versions { get; init; }
    public required VersionRange NullableVersions { get; init; }
    public required VersionRange TaggedVersions { get; init; }
    public int? Tag { get; init; }
    /// <summary>Field-level flexibleVersions override (e.g. "none" for RequestHeader.ClientId).</summary>
    public VersionRange? FlexibleVersions { get; init; }
    public string? Default { get; init; }
    public List<FieldSpec>? Fields { get; init; }

    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);
    public string ElementType => IsArray ? Type[2..] : Type;
    public bool IsStructType => !Primitives.Contains(ElementType);
    /// <summary>C# name of the struct type (element type for arrays), after clash resolution.</summary>
    public string StructCsName { get; set; } = "";
    public bool CanBeNull => !NullableVersions.IsEmpty;

    /// <summary>Versions where the field is a regular (positional) field.</summary>
    public VersionRange RegularVersions
        => TaggedVersions.IsEmpty ? Versions : Versions.Intersect(new VersionRange(0, (short)(TaggedVersions.Lo - 1)));

    public VersionRange TaggedPresence => Versions.Intersect(TaggedVersions);

    public static readonly HashSet<string> Primitives =
        ["bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "string", "uuid", "bytes", "records"];
}

internal sealed class StructSpec
{
    public required string SpecName { get; init; }
    public string CsName { get; set; } = "";
    public required List<FieldSpec> Fields { get; init; }
}

internal sealed class MessageSpec
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public short? ApiKey { get; init; }
    public required VersionRange ValidVersions { get; init; }
    public required VersionRange FlexibleVersions { get; init; }
    public bool LatestVersionUnstable { get; init; }
    public List<string> Listeners { get; init; } = [];
    public required List<FieldSpec> Fields { get; init; }
    /// <summary>Every nested struct (inline and common), in declaration order.</summary>
    public List<StructSpec> Structs { get; } = [];

    public StructSpec? FindStruct(string specName)
    {
        foreach (var s in Structs)
            if (s.SpecName == specName) return s;
        return null;
    }
}

internal static class SpecParser
{
    /// <summary>Removes // comments that start outside string literals.</summary>
    public static string StripComments(string text)
    {
        var sb = new StringBuilder(text.Length);
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < text.Length) sb.Append(text[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') { inString = true; sb.Append(c); continue; }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n') i++;
                if (i < text.Length) sb.Append('\n');
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static MessageSpec Parse(string json)
    {
        using var doc = JsonDocument.Parse(StripComments(json));
        var root = doc.RootElement;
        var listeners = new List<string>();
        if (root.TryGetProperty("listeners", out var ls))
            foreach (var l in ls.EnumerateArray()) listeners.Add(l.GetString()!);
        var msg = new MessageSpec
        {
            Name = root.GetProperty("name").GetString()!,
            Kind = root.GetProperty("type").GetString()!,
            ApiKey = root.TryGetProperty("apiKey", out var k) ? (short)AsInt(k) : null,
            ValidVersions = VersionRange.Parse(root.GetProperty("validVersions").GetString()),
            FlexibleVersions = VersionRange.Parse(root.TryGetProperty("flexibleVersions", out var f) ? f.GetString() : "none"),
            LatestVersionUnstable = root.TryGetProperty("latestVersionUnstable", out var u) && u.GetBoolean(),
            Listeners = listeners,
            Fields = ParseFields(root.GetProperty("fields")),
        };
        CollectStructs(msg, msg.Fields);
        if (root.TryGetProperty("commonStructs", out var common))
        {
            foreach (var cs in common.EnumerateArray())
            {
                var fields = ParseFields(cs.GetProperty("fields"));
                msg.Structs.Add(new StructSpec { SpecName = cs.GetProperty("name").GetString()!, Fields = fields });
                CollectStructs(msg, fields);
            }
        }
        return msg;
    }

    private static void CollectStructs(MessageSpec msg, List<FieldSpec> fields)
    {
        foreach (var fs in fields)
        {
            if (fs.Fields is null) continue;
            if (msg.FindStruct(fs.ElementType) is null)
                msg.Structs.Add(new StructSpec { SpecName = fs.ElementType, Fields = fs.Fields });
            CollectStructs(msg, fs.Fields);
        }
    }

    // Some specs quote their numbers ("tag": "0").
    private static int AsInt(JsonElement e)
        => e.ValueKind == JsonValueKind.String ? int.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetInt32();

    private static List<FieldSpec> ParseFields(JsonElement array)
    {
        var list = new List<FieldSpec>();
        foreach (var e in array.EnumerateArray())
        {
            string? def = null;
            if (e.TryGetProperty("default", out var d))
                def = d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText().ToLowerInvariant();
            list.Add(new FieldSpec
            {
                Name = e.GetProperty("name").GetString()!,
                Type = e.GetProperty("type").GetString()!,
                Versions = VersionRange.Parse(e.GetProperty("versions").GetString()),
                NullableVersions = VersionRange.Parse(e.TryGetProperty("nullableVersions", out var n) ? n.GetString() : null),
                TaggedVersions = VersionRange.Parse(e.TryGetProperty("taggedVersions", out var t) ? t.GetString() : null),
                Tag = e.TryGetProperty("tag", out var tag) ? AsInt(tag) : null,
                FlexibleVersions = e.TryGetProperty("flexibleVersions", out var fv) ? VersionRange.Parse(fv.GetString()) : null,
                Default = def,
                Fields = e.TryGetProperty("fields", out var sub) ? ParseFields(sub) : null,
            });
        }
        return list;
    }
}
