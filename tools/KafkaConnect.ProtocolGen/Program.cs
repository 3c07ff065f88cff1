namespace KafkaConnect.ProtocolGen;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: KafkaConnect.ProtocolGen <specDir> <outDir>");
            return 2;
        }
        var count = Generator.WriteAll(args[0], args[1]);
        Console.WriteLine($"Generated {count} files into {args[1]}.");
        return 0;
    }
}
