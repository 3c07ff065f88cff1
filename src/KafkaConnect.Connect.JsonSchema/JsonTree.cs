using System.Text;
using KafkaConnect.Connect.Json;

namespace KafkaConnect.Connect.JsonSchema;

/// <summary>A JSON object whose members keep the order they were added in; what schema building produces.</summary>
internal sealed class JsonTree
{
    private readonly List<KeyValuePair<string, object?>> _members = [];

    public IReadOnlyList<KeyValuePair<string, object?>> Members => _members;

    /// <summary>Adds a member; values are string, long, bool, null, <see cref="JsonTree"/>, a list of those, or <see cref="RawJson"/>.</summary>
    public JsonTree Add(string key, object? value)
    {
        _members.Add(new(key, value));
        return this;
    }

    public byte[] ToUtf8()
    {
        var output = JsonOutput.Rent();
        try
        {
            Write(output, this);
            return output.ToArray();
        }
        finally
        {
            JsonOutput.Return(output);
        }
    }

    public override string ToString() => Encoding.UTF8.GetString(ToUtf8());

    private static void Write(JsonOutput o, object? value)
    {
        switch (value)
        {
            case null: o.WriteNull(); break;
            case string s: o.WriteString(s); break;
            case long l: o.WriteInt64(l); break;
            case int i: o.WriteInt64(i); break;
            case bool b: o.WriteBoolean(b); break;
            case RawJson raw: o.WriteRaw(raw.Utf8); break;
            case JsonTree tree:
                o.WriteByte((byte)'{');
                for (var i = 0; i < tree._members.Count; i++)
                {
                    if (i > 0)
                    {
                        o.WriteByte((byte)',');
                    }
                    o.WriteString(tree._members[i].Key);
                    o.WriteByte((byte)':');
                    Write(o, tree._members[i].Value);
                }
                o.WriteByte((byte)'}');
                break;
            case IReadOnlyList<object?> list:
                o.WriteByte((byte)'[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        o.WriteByte((byte)',');
                    }
                    Write(o, list[i]);
                }
                o.WriteByte((byte)']');
                break;
            default:
                throw new InvalidOperationException("Unexpected JSON tree value " + value.GetType());
        }
    }
}

/// <summary>JSON text written elsewhere (a default value) to embed as is.</summary>
internal sealed record RawJson(byte[] Utf8);
