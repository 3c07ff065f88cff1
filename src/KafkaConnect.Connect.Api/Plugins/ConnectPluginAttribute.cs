namespace KafkaConnect.Connect.Plugins;

/// <summary>
/// Declares the Java class name a plugin answers to (e.g. "org.apache.kafka.connect.file.FileStreamSourceConnector"),
/// so existing Apache Kafka Connect configurations resolve to the C# type. The worker also accepts the type's
/// own full and simple names and Apache's short aliases.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConnectPluginAttribute : Attribute
{
    public ConnectPluginAttribute(string javaClassName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(javaClassName);
        JavaClassName = javaClassName;
    }

    public string JavaClassName { get; }
}
