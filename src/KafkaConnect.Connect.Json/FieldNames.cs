using System.Runtime.CompilerServices;
using System.Text;
using KafkaConnect.Connect.Data;

namespace KafkaConnect.Connect.Json;

/// <summary>UTF-8 field names per struct schema instance, so hot paths neither encode nor allocate names.</summary>
internal static class FieldNames
{
    private static readonly ConditionalWeakTable<Schema, byte[][]> s_names = new();

    public static byte[][] For(Schema schema) => s_names.GetValue(schema, static s =>
    {
        var fields = s.Fields;
        var names = new byte[fields.Count][];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Encoding.UTF8.GetBytes(fields[i].Name);
        }
        return names;
    });
}
