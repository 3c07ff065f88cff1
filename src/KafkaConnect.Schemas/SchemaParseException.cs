namespace KafkaConnect.Schemas;

/// <summary>
/// A schema text its format's parser refused, or a model change the format forbids. The message is the one the
/// format's reference implementation gives (Java Avro; protoc's "line: reason"), since the registry hands it to clients
/// as it is; <see cref="Line"/> and <see cref="Reason"/> let a converter word it its own way.
/// </summary>
public sealed class SchemaParseException : Exception
{
    public SchemaParseException(string message)
        : base(message)
    {
        Reason = message;
    }

    public SchemaParseException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    public SchemaParseException(int line, string reason)
        : base($"{line}: {reason}")
    {
        Line = line;
        Reason = reason;
    }

    /// <summary>The line of the schema text at fault, when the format has lines (.proto).</summary>
    public int? Line { get; }

    /// <summary>The message without the line.</summary>
    public string Reason { get; }
}
