namespace KafkaConnect.ProtocolGen;

internal static class Program
{
    private static int Main() => 0;
}
