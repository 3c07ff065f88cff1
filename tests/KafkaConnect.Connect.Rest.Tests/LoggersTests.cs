using System.Net;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Rest.Tests;

public sealed class LoggersEndpointTests : RestTestBase
{
    [Fact]
    public async Task ListGetPut()
    {
        Logs.MinimumLevel("KafkaConnect.Connect.Runtime.Worker"); // a logger that exists
        var (status, json) = await Get("/admin/loggers");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["root"], Names(json));
        Assert.Equal(["level", "last_modified"], Names(json.GetProperty("root")));
        Assert.Equal("INFO", json.GetProperty("root").GetProperty("level").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("root").GetProperty("last_modified").ValueKind);

        var (put, affected) = await Send(HttpMethod.Put, "/admin/loggers/KafkaConnect.Connect", """{"level":"debug"}""");
        Assert.Equal(HttpStatusCode.OK, put);
        Assert.Equal(["KafkaConnect.Connect", "KafkaConnect.Connect.Runtime.Worker"], affected.EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.True(Logs.IsEnabled("KafkaConnect.Connect.Runtime.Worker", LogLevel.Debug));
        Assert.False(Logs.IsEnabled("Other.Category", LogLevel.Debug));

        var (get, level) = await Get("/admin/loggers/KafkaConnect.Connect.Runtime.Worker");
        Assert.Equal(HttpStatusCode.OK, get);
        Assert.Equal("DEBUG", level.GetProperty("level").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, level.GetProperty("last_modified").ValueKind);

        var (_, all) = await Get("/admin/loggers");
        Assert.Equal(["KafkaConnect.Connect", "root"], Names(all));
    }

    [Fact]
    public async Task Errors()
    {
        var (missing, error) = await Get("/admin/loggers/no.such.logger");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        AssertError(error, 404, "Logger no.such.logger not found.");

        var (badLevel, badError) = await Send(HttpMethod.Put, "/admin/loggers/x", """{"level":"LOUD"}""");
        Assert.Equal(HttpStatusCode.BadRequest, badLevel);
        AssertError(badError, 400, "invalid log level 'LOUD'.");

        var (noLevel, noLevelError) = await Send(HttpMethod.Put, "/admin/loggers/x", """{}""");
        Assert.Equal(HttpStatusCode.BadRequest, noLevel);
        AssertError(noLevelError, 400, "Desired 'level' parameter was not specified in request.");

        var (cluster, _) = await Send(HttpMethod.Put, "/admin/loggers/x?scope=cluster", """{"level":"WARN"}""");
        Assert.Equal(HttpStatusCode.NoContent, cluster);
    }

    [Fact]
    public void Registry_PlugsIntoLoggerFactory()
    {
        var registry = new LogLevelRegistry(LogLevel.Warning);
        var sink = new ListProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(sink).AddLogLevelRegistry(registry));
        var logger = factory.CreateLogger("A.B");
        logger.LogInformation("hidden");
        registry.SetLevel("A", LogLevel.Information);
        logger.LogInformation("shown");
        registry.SetLevel("root", LogLevel.Error);
        logger.LogWarning("hidden again");
        Assert.Equal(["shown"], sink.Messages);
    }

    private sealed class ListProvider : ILoggerProvider, ILogger
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
