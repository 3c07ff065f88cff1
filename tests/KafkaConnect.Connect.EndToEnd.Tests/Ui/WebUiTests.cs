using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Ui;

/// <summary>A real worker (embedded broker, a FileStream source) and one headless Chromium, shared by the UI tests.</summary>
public sealed class WebUiFixture : IAsyncLifetime
{
    public const string Source = "ui-source";
    public const string Topic = "ui-lines";

    internal WorkerProcess Worker { get; } = new(output: null);

    internal ChromeDriver Driver { get; private set; } = null!;

    internal string SourceFile => Worker.PathOf("ui-in.txt");

    public async Task InitializeAsync()
    {
        File.WriteAllText(SourceFile, "alpha\nbeta\ngamma\n");
        var workerFile = Worker.ClassicWorkerFile(offsetFlushMs: 500);
        var source = Worker.WriteFile("ui-source.properties", $"""
            name={Source}
            connector.class=FileStreamSource
            tasks.max=1
            file={SourceFile}
            topic={Topic}
            """);
        await Worker.StartAsync(workerFile, source);
        await Worker.WaitForStateAsync(Source, "RUNNING");
        Driver = Browser.Start();
    }

    public async Task DisposeAsync()
    {
        Driver?.Quit();
        Driver?.Dispose();
        await Worker.DisposeAsync();
    }
}

public sealed class WebUiTests(WebUiFixture fixture, ITestOutputHelper output) : IClassFixture<WebUiFixture>, IDisposable
{
    private readonly WorkerProcess _worker = fixture.Worker;
    private readonly ChromeDriver _driver = fixture.Driver;

    public void Dispose() => output.WriteLine(_worker.Current.Tail(40));

    private void Open(string hash)
    {
        _driver.Navigate().GoToUrl($"{_worker.RestUrl}/ui/{hash}");
        // A hash change alone does not reload; the router still runs on it.
        _driver.WaitFor(d => d.FindElement(By.Id("view")).Text.Contains("Loading", StringComparison.Ordinal) ? null : (object)true, "the page to render");
    }

    private async Task<JsonElement> StatusAsync(string connector)
    {
        using var response = await _worker.Http.GetAsync($"/connectors/{connector}/status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Overview_lists_the_connectors_with_their_states_and_task_counts()
    {
        Open("#/");
        var state = _driver.WaitFor(d => d.FindElement(By.CssSelector($"#connectors tr[data-name='{WebUiFixture.Source}'] td:nth-child(4) .state")),
            "the source connector's row");
        _driver.WaitFor(_ => state.Text == "RUNNING" ? (object)true : null, "RUNNING in the source's row");
        using var list = JsonDocument.Parse(await _worker.Http.GetStringAsync("/connectors"));
        Assert.Equal(list.RootElement.GetArrayLength().ToString(System.Globalization.CultureInfo.InvariantCulture),
            _driver.FindElement(By.CssSelector("#card-connectors b")).Text);
        var row = _driver.FindElement(By.CssSelector($"#connectors tr[data-name='{WebUiFixture.Source}']"));
        Assert.Contains("source", row.Text, StringComparison.Ordinal);
        Assert.Contains("FileStreamSource", row.Text, StringComparison.Ordinal);
        Assert.Contains("1 RUNNING", row.Text, StringComparison.Ordinal);
        _driver.Screenshot("ui-overview");
    }

    [Fact]
    public async Task The_overview_shows_records_per_second_from_the_workers_metrics()
    {
        Open("#/");
        _driver.WaitFor(d => d.FindElement(By.CssSelector("#connectors thead")).Text.Contains("Records/s", StringComparison.Ordinal) ? (object)true : null,
            "the Records/s column (the worker serves /metrics)");
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await File.AppendAllTextAsync(fixture.SourceFile, $"rate-{i}\n");
                await Task.Delay(10);
            }
        });
        try
        {
            // Two samples of the source-write counter, one refresh (5 s) apart, make a rate.
            _driver.WaitFor(d =>
            {
                var text = d.FindElement(By.CssSelector($"#connectors tr[data-name='{WebUiFixture.Source}'] td:nth-child(7)")).Text.Replace(",", "", StringComparison.Ordinal);
                return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var rate) && rate > 0 ? (object)true : null;
            }, "a records/s figure above 0 for the source", seconds: 40);
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
    }

    [Fact]
    public async Task A_FileStream_sink_created_from_the_form_shows_the_missing_topics_error_runs_and_pauses_and_resumes()
    {
        const string name = "ui-sink";
        var sinkFile = _worker.PathOf("ui-sink.txt");
        Open("#/new");
        new SelectElement(_driver.WaitFor(d => d.FindElement(By.Id("plugin")), "the plugin list"))
            .SelectByValue("org.apache.kafka.connect.file.FileStreamSinkConnector");
        var nameInput = _driver.WaitFor(d => d.FindElement(By.Id("cfg-name")), "the form generated from the plugin's definition");
        nameInput.SendKeys(name);
        _driver.FindElement(By.Id("cfg-file")).SendKeys(sinkFile);

        // The sink has no topics yet: config/validate says so, next to the field, while typing.
        var topicsError = _driver.WaitFor(d =>
        {
            var e = d.FindElement(By.CssSelector("[data-err='topics']"));
            return e.Text.Length > 0 ? e : null;
        }, "the validation error for topics");
        Assert.Contains("Must configure one of topics or topics.regex", topicsError.Text, StringComparison.Ordinal);
        Assert.Contains("invalid", _driver.FindElement(By.Id("cfg-topics")).GetAttribute("class"), StringComparison.Ordinal);
        _driver.Screenshot("ui-create-form");

        _driver.FindElement(By.Id("cfg-topics")).SendKeys(WebUiFixture.Topic);
        _driver.WaitFor(d => d.FindElement(By.Id("error-count")).Text == "No errors" ? (object)true : null, "the errors to clear");
        _driver.FindElement(By.Id("submit")).Click();

        _driver.WaitFor(d => d.Url.EndsWith("#/connectors/" + name, StringComparison.Ordinal) ? (object)true : null, "the connector's page");
        _driver.WaitFor(d => d.FindElement(By.CssSelector("h1 .state")).Text == "RUNNING" ? (object)true : null, "RUNNING on the connector's page");
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(sinkFile) && File.ReadAllText(sinkFile).Contains("gamma", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), () => "the sink file never got the source's lines");
        Assert.Equal("FileStreamSinkConnector", (await _worker.Http.GetFromJsonAsync<Dictionary<string, string>>($"/connectors/{name}/config"))!["connector.class"].Split('.')[^1]);

        _driver.FindElement(By.CssSelector("button[data-action='pause']")).Click();
        _driver.WaitFor(d => d.FindElement(By.CssSelector("h1 .state")).Text == "PAUSED" ? (object)true : null, "PAUSED after Pause");
        Assert.Equal("PAUSED", (await StatusAsync(name)).GetProperty("connector").GetProperty("state").GetString());
        _driver.Screenshot("ui-connector");

        _driver.FindElement(By.CssSelector("button[data-action='resume']")).Click();
        _driver.WaitFor(d => d.FindElement(By.CssSelector("h1 .state")).Text == "RUNNING" ? (object)true : null, "RUNNING after Resume");
        Assert.Equal("RUNNING", (await StatusAsync(name)).GetProperty("connector").GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_failed_task_shows_its_trace()
    {
        const string name = "ui-broken-sink";
        // A directory where the sink wants a file: the task fails when it opens it.
        var directory = Directory.CreateDirectory(_worker.PathOf("not-a-file")).FullName;
        var body = $$$"""{"name":"{{{name}}}","config":{"connector.class":"FileStreamSink","tasks.max":"1","file":"{{{directory}}}","topics":"{{{WebUiFixture.Topic}}}"}}""";
        using (var created = await _worker.Http.PostAsync("/connectors", new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        await Eventually.WaitAsync(async () => (await StatusAsync(name)).GetProperty("tasks") is { ValueKind: JsonValueKind.Array } t
            && t.GetArrayLength() == 1 && t[0].GetProperty("state").GetString() == "FAILED", TimeSpan.FromSeconds(30), () => "the task did not fail");
        var trace = (await StatusAsync(name)).GetProperty("tasks")[0].GetProperty("trace").GetString()!;

        Open("#/connectors/" + name);
        _driver.WaitFor(d => d.FindElement(By.CssSelector("#tasks tr[data-task='0'] .state")).Text == "FAILED" ? (object)true : null, "the FAILED task");
        var shown = _driver.FindElement(By.CssSelector("#tasks tr[data-task='0'] details.trace pre")).Text;
        Assert.Equal(trace.Split('\n')[0].Trim(), shown.Split('\n')[0].Trim());
        Assert.Contains(directory, shown, StringComparison.Ordinal);
        _driver.Screenshot("ui-failed-task");
    }

    [Fact]
    public async Task The_live_view_shows_a_topics_records_as_they_arrive()
    {
        Open("#/topics/" + WebUiFixture.Topic);
        // The newest records of the topic first (other tests add to it, so which ones varies), then the ones that arrive.
        _driver.WaitFor(d => d.FindElements(By.CssSelector("#records tbody tr")).Count > 0 ? (object)true : null, "the topic's newest records");
        var line = "live-" + Guid.NewGuid().ToString("N")[..8];
        await File.AppendAllTextAsync(fixture.SourceFile, line + "\n");
        _driver.WaitFor(d => d.FindElement(By.Id("records")).Text.Contains(line, StringComparison.Ordinal) ? (object)true : null, "the new record", seconds: 45);
        var first = _driver.FindElement(By.CssSelector("#records tbody tr:first-child")).Text;
        Assert.Contains(line, first, StringComparison.Ordinal);
        _driver.Screenshot("ui-topic");
    }

    private async Task CreateAsync(string name, string configJson)
    {
        using var created = await _worker.Http.PostAsync("/connectors",
            new StringContent($$"""{"name":"{{name}}","config":{{configJson}}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task Editing_from_the_form_patches_the_changed_setting_and_shows_secrets_masked()
    {
        const string name = "ui-edit-sink";
        var before = _worker.PathOf("ui-edit-before.txt");
        var after = _worker.PathOf("ui-edit-after.txt");
        await CreateAsync(name, $$"""{"connector.class":"FileStreamSink","tasks.max":"1","file":"{{before}}","topics":"{{WebUiFixture.Topic}}","audit.password":"s3cret"}""");
        await _worker.WaitForStateAsync(name, "RUNNING");

        Open("#/connectors/" + name);
        var config = _driver.WaitFor(d => d.FindElement(By.Id("config")), "the configuration table").Text;
        Assert.Contains("audit.password [hidden]", config, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", _driver.PageSource, StringComparison.Ordinal);

        _driver.FindElement(By.LinkText("Edit")).Click();
        var file = _driver.WaitFor(d => d.FindElement(By.Id("cfg-file")), "the edit form");
        Assert.Equal(before, file.GetAttribute("value"));
        Assert.Equal("true", _driver.FindElement(By.Id("cfg-name")).GetAttribute("readonly"));
        file.Clear();
        file.SendKeys(after);
        _driver.WaitFor(d => d.FindElement(By.Id("error-count")).Text == "No errors" ? (object)true : null, "a clean validation");
        _driver.FindElement(By.Id("submit")).Click();
        _driver.WaitFor(d => d.Url.EndsWith("#/connectors/" + name, StringComparison.Ordinal) ? (object)true : null, "the connector's page");

        var saved = (await _worker.Http.GetFromJsonAsync<Dictionary<string, string>>($"/connectors/{name}/config"))!;
        Assert.Equal(after, saved["file"]);
        // Only the changed key went back: the secret still holds its value, not the mask the form showed.
        Assert.Equal("[hidden]", saved["audit.password"]);
        // The group's offsets carry over: the new file gets the records that arrive from now on.
        await _worker.WaitForStateAsync(name, "RUNNING");
        var line = "edited-" + Guid.NewGuid().ToString("N")[..8];
        await File.AppendAllTextAsync(fixture.SourceFile, line + "\n");
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(after) && File.ReadAllText(after).Contains(line, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), () => "the sink did not write to the new file");
    }

    [Fact]
    public async Task Stop_reset_offsets_and_delete_from_the_connector_page()
    {
        const string name = "ui-reset-source";
        var input = _worker.PathOf("ui-reset.txt");
        File.WriteAllText(input, "one\ntwo\n");
        await CreateAsync(name, $$"""{"connector.class":"FileStreamSource","tasks.max":"1","file":"{{input}}","topic":"ui-reset"}""");
        await Eventually.WaitAsync(async () => (await _worker.Http.GetStringAsync($"/connectors/{name}/offsets")).Contains("position", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), () => "no offsets were committed");

        Open("#/connectors/" + name);
        var reset = _driver.WaitFor(d => d.FindElement(By.CssSelector("button[data-action='reset-offsets']")), "the actions");
        Assert.False(reset.Enabled, "offsets can only be reset on a stopped connector");
        _driver.FindElement(By.CssSelector("button[data-action='stop']")).Click();
        _driver.WaitFor(d => d.FindElement(By.CssSelector("h1 .state")).Text == "STOPPED" ? (object)true : null, "STOPPED after Stop");
        _driver.WaitFor(d => d.FindElement(By.CssSelector("button[data-action='reset-offsets']")).Enabled ? (object)true : null, "Reset offsets enabled").ToString();
        _driver.FindElement(By.CssSelector("button[data-action='reset-offsets']")).Click();
        _driver.SwitchTo().Alert().Accept();
        _driver.WaitFor(d => d.FindElement(By.Id("flash")).Text.Contains("reset", StringComparison.OrdinalIgnoreCase) ? (object)true : null, "the reset message");
        using (var offsets = JsonDocument.Parse(await _worker.Http.GetStringAsync($"/connectors/{name}/offsets")))
        {
            Assert.Equal(0, offsets.RootElement.GetProperty("offsets").GetArrayLength());
        }

        _driver.FindElement(By.CssSelector("button[data-action='delete']")).Click();
        _driver.SwitchTo().Alert().Accept();
        _driver.WaitFor(d => d.FindElements(By.CssSelector("#connectors")).Count > 0 ? (object)true : null, "the overview after Delete");
        using var gone = await _worker.Http.GetAsync($"/connectors/{name}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task The_page_and_its_files_come_from_the_worker_compressed_and_cacheable()
    {
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(_worker.RestUrl) };
        using var page = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        page.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await http.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        var etag = response.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        using var missing = await http.GetAsync("/ui/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var badQuery = await http.GetAsync($"/ui/api/topics/{WebUiFixture.Topic}/records?after=zero");
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
        Assert.Contains("after=<partition>:<offset>", await badQuery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
