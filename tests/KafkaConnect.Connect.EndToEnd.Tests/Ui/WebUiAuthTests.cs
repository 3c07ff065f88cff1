using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Ui;

public sealed class WebUiAuthTests(ITestOutputHelper output)
{
    private const string BasicAuthExtension = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";

    [Fact]
    public async Task With_basic_auth_the_page_and_its_api_calls_need_the_credentials()
    {
        await using var worker = new WorkerProcess(output);
        var credentials = worker.WriteFile("credentials.properties", "ops: ops-secret\n");
        var jaas = worker.WriteFile("connect-jaas.conf", $$"""
            KafkaConnect {
                org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
                file="{{credentials}}";
            };
            """);
        var source = worker.WriteFile("guarded.properties", $"""
            name=guarded
            connector.class=FileStreamSource
            file={worker.PathOf("in.txt")}
            topic=guarded
            """);
        var workerFile = worker.ClassicWorkerFile(extra: $"rest.extension.classes={BasicAuthExtension}\njava.security.auth.login.config={jaas}\n");
        // Not WorkerProcess.StartAsync: its readiness probe has no credentials.
        await using var run = ChildProcess.Start(worker.Dir, ["standalone", workerFile, source]);
        await run.WhenLogged("REST server listening at").WaitAsync(TimeSpan.FromSeconds(60));

        using (var anonymous = await worker.Http.GetAsync("/ui/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        }
        using (var tail = new HttpRequestMessage(HttpMethod.Get, "/ui/api/topics/guarded/records"))
        {
            tail.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:wrong")));
            using var refused = await worker.Http.SendAsync(tail);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // The browser sends the credentials it was given for the page with the page's own API calls.
        using var driver = Browser.Start();
        try
        {
            driver.Navigate().GoToUrl($"http://ops:ops-secret@127.0.0.1:{worker.RestPort}/ui/");
            driver.WaitFor(d => d.FindElement(By.CssSelector("#connectors tr[data-name='guarded']")), "the guarded connector listed");
            Assert.Equal("1", driver.TextOf("#card-connectors b"));
        }
        finally
        {
            driver.Quit();
        }
    }
}
