using KafkaConnect.Connect.EndToEnd.Tests.Distributed;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Ui;

public sealed class WebUiDistributedTests(ITestOutputHelper output)
{
    [Fact]
    public async Task On_a_cluster_a_connector_created_from_a_followers_form_runs_and_every_worker_shows_it()
    {
        await using var cluster = new DistributedCluster(output, workers: 2);
        await cluster.StartAsync();
        var leader = await cluster.LeaderAsync();
        var follower = cluster.Workers.First(w => w != leader);
        var input = cluster.PathOf("ui-input.txt");
        await File.WriteAllTextAsync(input, "north\nsouth\n");

        using var driver = Browser.Start();
        try
        {
            // Created on the follower: the worker forwards the write to the leader, as for any REST client.
            driver.Navigate().GoToUrl(follower.Url + "/ui/#/new");
            new SelectElement(driver.WaitFor(d => d.FindElement(By.Id("plugin")), "the plugin list"))
                .SelectByValue("org.apache.kafka.connect.file.FileStreamSourceConnector");
            driver.WaitFor(d => d.FindElement(By.Id("cfg-name")), "the form").SendKeys("ui-cluster-source");
            driver.FindElement(By.Id("cfg-file")).SendKeys(input);
            driver.FindElement(By.Id("cfg-topic")).SendKeys("ui-cluster");
            driver.WaitFor(d => d.FindElement(By.Id("error-count")).Text == "No errors" ? (object)true : null, "a clean validation");
            driver.FindElement(By.Id("submit")).Click();
            await cluster.WaitForStateAsync("ui-cluster-source", 1);

            // The leader's UI lists it with the worker that runs its task, and shows its records.
            driver.Navigate().GoToUrl(leader.Url + "/ui/#/");
            var row = driver.WaitFor(d => d.FindElement(By.CssSelector("#connectors tr[data-name='ui-cluster-source']")), "the connector on the leader");
            driver.WaitFor(_ => row.Text.Contains("1 RUNNING", StringComparison.Ordinal) ? (object)true : null, "its task RUNNING");
            var shownWorkers = row.FindElement(By.CssSelector("td:nth-child(6)")).Text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(shownWorkers);
            Assert.All(shownWorkers, w => Assert.Contains(w, cluster.Workers.Select(x => x.Id)));
            driver.Navigate().GoToUrl(follower.Url + "/ui/#/topics/ui-cluster");
            driver.WaitFor(d => d.FindElement(By.Id("records")).Text.Contains("south", StringComparison.Ordinal) ? (object)true : null,
                "the topic's records on the follower");
        }
        finally
        {
            driver.Quit();
        }
    }
}
