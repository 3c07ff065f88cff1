using System.Text;
using KafkaConnect.Client.Producer;
using KafkaConnect.Client.Tests.Admin;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Client.Tests.Producer;

/// <summary>Failures inside the producer's background sender reach its logger and the callers' results.</summary>
public sealed class SenderFailureTests
{
    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message, Exception? Error)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries) Entries.Add((logLevel, formatter(state, exception), exception));
        }
    }

    [Fact]
    public async Task A_refused_producer_id_is_logged_and_fails_the_queued_records_at_once()
    {
        FakeBroker? fake = null;
        fake = new FakeBroker((key, _, request) => request switch
        {
            MetadataRequest m => fake!.Metadata(m, 1, 1),
            InitProducerIdRequest => new InitProducerIdResponse { ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 },
            _ => throw new InvalidOperationException($"unexpected {key}"),
        }, ApiKey.Metadata, ApiKey.InitProducerId, ApiKey.Produce);
        await using (fake)
        {
            var logger = new ListLogger();
            // delivery.timeout.ms is long: the failure must surface because of its cause, not by expiring.
            await using var producer = new KafkaProducer(ProducerTestSupport.Config(fake.BootstrapServers, ("delivery.timeout.ms", "60000")), logger);
            var send = producer.ProduceAsync(new ProducerRecord("t", null, Encoding.UTF8.GetBytes("v")));

            var error = await Assert.ThrowsAsync<KafkaException>(() => send.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(ErrorCode.ClusterAuthorizationFailed, error.Error);
            lock (logger.Entries)
                Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Error is KafkaException { Error: ErrorCode.ClusterAuthorizationFailed });
            Assert.DoesNotContain(ApiKey.Produce, fake.Requests);
        }
    }
}
