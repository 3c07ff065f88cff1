using KafkaConnect.ClientBench;

// Client benchmarks, run by hand (not in CI):
//   dotnet run -c Release --project bench/KafkaConnect.ClientBench -- producer [--records N] [--sizes 100,1024] [--partitions 4]
// Needs a Release build of the broker: dotnet build -c Release src/KafkaConnect.Cli
return args.Length > 0 && args[0] == "producer"
    ? await ProducerThroughput.RunAsync(args[1..])
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: KafkaConnect.ClientBench producer [--records N] [--sizes 100,1024] [--partitions 4] [--linger-ms 5] [--batch-size B]");
    return 2;
}
