namespace KafkaConnect.Protocol.Records;

/// <summary>The batch uses a codec this process cannot run (unknown id, or a native library is missing).</summary>
public sealed class UnsupportedCompressionException : Exception
{
    public UnsupportedCompressionException(CompressionType type)
        : base($"Compression type {type} ({(int)type}) is not supported.")
    {
        Type = type;
    }

    public CompressionType Type { get; }
}
