namespace KafkaConnect.Connect.Avro;

/// <summary>An Avro schema that is malformed or that this converter cannot handle: a data error to the worker.</summary>
public sealed class AvroSchemaException : DataException
{
    public AvroSchemaException(string message)
        : base(message)
    {
    }

    public AvroSchemaException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
