using KafkaConnect.ClientBench;

// Client benchmarks against kcat, run by hand (not in CI). Needs a Release build of the broker:
//   dotnet build -c Release src/KafkaConnect.Cli
//   dotnet run -c Release --project bench/KafkaConnect.ClientBench -- producer [options]
//   dotnet run -c Release --project bench/KafkaConnect.ClientBench -- consumer [options]
//   dotnet run -c Release --project bench/KafkaConnect.ClientBench -- all [options]   (both, one after the other)
//   dotnet run -c Release --project bench/KafkaConnect.ClientBench -- tls [--records N] [--size 1024] [--repeat 3]   (TLS vs PLAINTEXT, ours and kcat)
//   dotnet run -c Release --project bench/KafkaConnect.ClientBench -- registry [--schemas 1000] [--repeat 3]   (Schema Registry lookups, cold and warm)
return args.Length > 0 ? args[0] switch
{
    "producer" => await ProducerThroughput.RunAsync(args[1..]),
    "consumer" => await ConsumerThroughput.RunAsync(args[1..]),
    "all" => await RunBothAsync(args[1..]),
    "tls" => await TlsThroughput.RunAsync(args[1..]),
    "registry" => await RegistryLookups.RunAsync(args[1..]),
    _ => Usage(),
} : Usage();

static async Task<int> RunBothAsync(string[] args)
{
    var producer = await ProducerThroughput.RunAsync(args);
    Console.WriteLine();
    return producer != 0 ? producer : await ConsumerThroughput.RunAsync(WithoutProducerOptions(args));
}

// --batch-sizes and --linger-ms (each with its value) belong to the producer mode only.
static string[] WithoutProducerOptions(string[] args)
{
    var kept = new List<string>();
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] is "--batch-sizes" or "--linger-ms") { i++; continue; }
        kept.Add(args[i]);
    }
    return kept.ToArray();
}

static int Usage()
{
    Console.Error.WriteLine("usage: KafkaConnect.ClientBench producer|consumer|all [--records N] [--sizes 100,1024] [--partitions 4] [--repeat 3]");
    Console.Error.WriteLine("       producer only: [--linger-ms 5] [--batch-sizes default,1000000]");
    Console.Error.WriteLine("       KafkaConnect.ClientBench tls [--records N] [--size 1024] [--partitions 4] [--repeat 3]");
    Console.Error.WriteLine("       KafkaConnect.ClientBench registry [--schemas 1000] [--repeat 3]");
    return 2;
}
