using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Transforms.Util;

internal static class SchemaUtil
{
    /// <summary>A builder of the same type carrying name, version, doc and parameters (not optionality or default).</summary>
    public static SchemaBuilder CopySchemaBasics(Schema source) =>
        CopySchemaBasics(source, source.Type switch
        {
            SchemaType.Array => SchemaBuilder.Array(source.ValueSchema!),
            SchemaType.Map => SchemaBuilder.Map(source.KeySchema!, source.ValueSchema!),
            _ => new SchemaBuilder(source.Type),
        });

    public static SchemaBuilder CopySchemaBasics(Schema source, SchemaBuilder builder)
    {
        if (source.Name is { } name)
        {
            builder.Name(name);
        }
        if (source.Version is { } version)
        {
            builder.Version(version);
        }
        if (source.Doc is { } doc)
        {
            builder.Doc(doc);
        }
        if (source.Parameters.Count > 0)
        {
            builder.Parameters(source.Parameters);
        }
        return builder;
    }
}
