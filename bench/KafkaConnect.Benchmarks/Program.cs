using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace KafkaConnect.Benchmarks;

internal static class Program
{
    public static int Main(string[] args)
    {
        // Short runs: the machine has two cores shared with other work, so the whole suite must stay within
        // minutes. In-process avoids generating and building a second project per run; pass --out-of-process
        // to let BenchmarkDotNet build its usual isolated host instead.
        var outOfProcess = args.Contains("--out-of-process");
        args = args.Where(a => a != "--out-of-process").ToArray();
        var job = Job.Default
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithIterationTime(TimeInterval.FromMilliseconds(500))
            .WithLaunchCount(1);
        if (!outOfProcess) job = job.WithToolchain(InProcessEmitToolchain.Instance);
        var config = DefaultConfig.Instance
            .AddJob(job.AsDefault())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(ThroughputColumn.RecordsPerSecond, ThroughputColumn.MiBPerSecond, StatisticColumn.Median)
            .WithOptions(ConfigOptions.DisableLogFile);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
