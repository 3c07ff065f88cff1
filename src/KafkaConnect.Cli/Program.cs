namespace KafkaConnect.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: kconnect <broker|standalone> ...");
        return args.Length == 0 ? 2 : 0;
    }
}
