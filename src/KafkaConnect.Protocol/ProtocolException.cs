namespace KafkaConnect.Protocol;

/// <summary>Raised when bytes on the wire do not form a valid message: the caller answers with an error or drops the connection.</summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(string message) : base(message) { }
}
