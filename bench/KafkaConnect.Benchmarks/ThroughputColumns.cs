using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace KafkaConnect.Benchmarks;

/// <summary>
/// How much one invocation of a benchmark processes, so the summary can show records/s and MiB/s next to
/// the mean. Bytes of 0 means "records × the ValueSize parameter" (payload bytes only).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class WorkAttribute(int records, long bytes = 0) : Attribute
{
    public int Records { get; } = records;
    public long Bytes { get; } = bytes;
}

/// <summary>Records/s or MiB/s derived from the measured mean and the method's <see cref="WorkAttribute"/>.</summary>
internal sealed class ThroughputColumn : IColumn
{
    public static readonly IColumn RecordsPerSecond = new ThroughputColumn(bytes: false);
    public static readonly IColumn MiBPerSecond = new ThroughputColumn(bytes: true);

    private readonly bool _bytes;

    private ThroughputColumn(bool bytes) => _bytes = bytes;

    public string Id => _bytes ? "MiB/s" : "Records/s";
    public string ColumnName => Id;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => _bytes ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => _bytes ? "Payload MiB processed per second (1 MiB = 2^20 bytes)" : "Records processed per second";

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var work = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<WorkAttribute>();
        var meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (work is null || meanNs is not > 0) return "-";
        var perSecond = 1e9 / meanNs.Value;
        if (!_bytes)
            return work.Records > 0 ? (work.Records * perSecond).ToString("N0", CultureInfo.InvariantCulture) : "-";
        var bytes = work.Bytes;
        if (bytes == 0 && work.Records > 0)
        {
            foreach (var p in benchmarkCase.Parameters.Items)
                if (p.Name == "ValueSize" && p.Value is int size) bytes = (long)work.Records * size;
        }
        return bytes > 0 ? (bytes * perSecond / (1024.0 * 1024.0)).ToString("N1", CultureInfo.InvariantCulture) : "-";
    }
}
