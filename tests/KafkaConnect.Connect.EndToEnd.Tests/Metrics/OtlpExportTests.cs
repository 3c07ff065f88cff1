using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Metrics;

/// <summary>
/// kconnect.metrics.otlp.endpoint: the worker pushes its metrics with OpenTelemetry's protocol (OTLP/HTTP, protobuf).
/// No OpenTelemetry collector runs here (Debian has none), so the receiver is this test's: an HTTP listener that reads
/// each ExportMetricsServiceRequest with Google's protobuf library by the field numbers of opentelemetry-proto.
/// </summary>
public sealed class OtlpExportTests(ITestOutputHelper output)
{
    private sealed record Point(string Metric, IReadOnlyDictionary<string, string> Attributes, double Value);

    [Fact]
    public async Task The_worker_pushes_its_counters_over_OTLP_and_they_match_the_lines_moved()
    {
        const int lines = 500;
        var port = ChildProcess.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var points = new ConcurrentQueue<Point>();
        var paths = new ConcurrentQueue<string>();
        var receiving = ReceiveAsync(listener, points, paths);

        await using var worker = new WorkerProcess(output);
        var input = worker.PathOf("input.txt");
        File.WriteAllLines(input, Enumerable.Range(0, lines).Select(i => $"line {i}"));
        var source = worker.WriteFile("source.properties", $"""
            name=otlp-source
            connector.class=FileStreamSource
            file={input}
            topic=otlp-lines
            """);
        await worker.StartAsync(worker.ClassicWorkerFile(offsetFlushMs: 500,
            extra: $"kconnect.metrics.otlp.endpoint=http://127.0.0.1:{port}\nkconnect.metrics.otlp.interval.ms=300\n"), source);

        await Eventually.WaitAsync(() => Task.FromResult(points.Any(p =>
                p.Metric == "kafka_connect_source_task_metrics_source_record_write_total" && p.Value == lines
                && p.Attributes.GetValueOrDefault("connector") == "otlp-source" && p.Attributes.GetValueOrDefault("task") == "0")),
            TimeSpan.FromSeconds(60), () => $"no OTLP export with {lines} source writes; paths {string.Join(",", paths.Distinct())}; metrics seen: "
                + string.Join(", ", points.Select(p => p.Metric).Distinct().Take(20)) + Environment.NewLine + worker.Current.Tail(40));
        Assert.All(paths, p => Assert.Equal("/v1/metrics", p));
        Assert.Contains(points, p => p.Metric == "kafka_connect_connect_worker_metrics_connector_count" && p.Value == 1);
        Assert.Contains(points, p => p.Metric == "kafka_connect_connector_status" && p.Attributes.GetValueOrDefault("status") == "running");
        listener.Stop();
        await receiving;
    }

    private static async Task ReceiveAsync(HttpListener listener, ConcurrentQueue<Point> points, ConcurrentQueue<string> paths)
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            paths.Enqueue(ctx.Request.Url!.AbsolutePath);
            using (var body = new MemoryStream())
            {
                await ctx.Request.InputStream.CopyToAsync(body);
                foreach (var point in ReadExportRequest(body.ToArray()))
                {
                    points.Enqueue(point);
                }
            }
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/x-protobuf";
            ctx.Response.Close();
        }
    }

    // ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1 }
    // ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2 }
    // ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2 }
    // Metric { string name = 1; Gauge gauge = 5; Sum sum = 7 }   Gauge/Sum { repeated NumberDataPoint data_points = 1 }
    // NumberDataPoint { double as_double = 4; sfixed64 as_int = 6; repeated KeyValue attributes = 7 }
    // KeyValue { string key = 1; AnyValue value = 2 }   AnyValue { string string_value = 1; int64 int_value = 3 }
    private static IEnumerable<Point> ReadExportRequest(byte[] request)
    {
        foreach (var resource in Messages(request, 1))
        {
            foreach (var scope in Messages(resource, 2))
            {
                foreach (var metric in Messages(scope, 2))
                {
                    var name = Strings(metric, 1).Single();
                    foreach (var data in Messages(metric, 5).Concat(Messages(metric, 7)))
                    {
                        foreach (var point in Messages(data, 1))
                        {
                            yield return ReadPoint(name, point);
                        }
                    }
                }
            }
        }
    }

    private static Point ReadPoint(string metric, byte[] point)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        double value = double.NaN;
        var input = new CodedInputStream(point);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 4: value = input.ReadDouble(); break;
                case 6: value = input.ReadSFixed64(); break;
                case 7:
                    var pair = input.ReadBytes().ToByteArray();
                    var key = Strings(pair, 1).Single();
                    var any = Messages(pair, 2).Single();
                    attributes[key] = Strings(any, 1).SingleOrDefault() ?? "";
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new Point(metric, attributes, value);
    }

    private static List<byte[]> Messages(byte[] message, int field) => [.. Fields(message, field).Select(b => b.ToByteArray())];

    private static List<string> Strings(byte[] message, int field) => [.. Fields(message, field).Select(b => b.ToStringUtf8())];

    private static IEnumerable<ByteString> Fields(byte[] message, int field)
    {
        var input = new CodedInputStream(message);
        var found = new List<ByteString>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return found;
    }
}
