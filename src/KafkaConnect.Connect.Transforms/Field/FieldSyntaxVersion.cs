using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Transforms.Field;

/// <summary>KIP-821 <c>field.syntax.version</c>: V1 names a top-level field, V2 a dotted path with backtick quoting.</summary>
public enum FieldSyntaxVersion
{
    V1,
    V2,
}

internal static class FieldSyntax
{
    public const string ConfigName = "field.syntax.version";

    public const string Doc =
        "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the "
        + "elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. "
        + "To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick "
        + "pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named "
        + "\"foo.bar\" in a struct/map the following format can be used to access its elements: \"`foo.bar`.baz\".";

    public static ConfigDef AppendTo(ConfigDef def) =>
        def.Define(ConfigName, ConfigType.String, "V1", ConfigDef.ValidString.InIgnoringCase("V1", "V2"), Importance.High, Doc);

    public static FieldSyntaxVersion FromConfig(AbstractConfig config)
    {
        var text = config.GetString(ConfigName) ?? "V1";
        return text.ToUpperInvariant() switch
        {
            "V1" => FieldSyntaxVersion.V1,
            "V2" => FieldSyntaxVersion.V2,
            _ => throw new ConfigException(ConfigName, text, "Unrecognized field syntax version"),
        };
    }
}
