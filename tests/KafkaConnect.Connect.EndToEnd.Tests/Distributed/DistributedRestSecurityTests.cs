using System.Text.Json;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using KafkaConnect.Security.Tests;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests.Distributed;

/// <summary>
/// Two distributed workers behind https and basic auth: a user's request to the follower is forwarded to the leader
/// over https with the user's credentials, and a follower's task configs reach the leader signed with the session key.
/// </summary>
public sealed class DistributedRestSecurityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Https_basic_auth_cluster_forwards_and_writes_task_configs_between_workers()
    {
        var pki = await TestPki.SharedAsync();
        await using var cluster = new DistributedCluster(output, workers: 0);
        var credentials = cluster.PathOf("credentials.properties");
        await File.WriteAllTextAsync(credentials, "admin: admin-secret\n");
        var jaas = cluster.PathOf("connect-jaas.conf");
        await File.WriteAllTextAsync(jaas, $$"""
            KafkaConnect {
                org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required file="{{credentials}}";
            };
            """);
        var ports = new List<int>();
        for (var i = 0; i < 2; i++)
        {
            var port = ChildProcess.FreePort();
            ports.Add(port);
            cluster.AddWorker(new Dictionary<string, string>
            {
                ["listeners"] = $"https://127.0.0.1:{port}",
                ["rest.advertised.listener"] = "https",
                ["listeners.https.ssl.keystore.location"] = pki.ServerJks,
                ["listeners.https.ssl.keystore.password"] = TestPki.Password,
                ["listeners.https.ssl.key.password"] = TestPki.Password,
                ["listeners.https.ssl.truststore.location"] = pki.TrustJks,
                ["listeners.https.ssl.truststore.password"] = TestPki.Password,
                ["rest.extension.classes"] = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension",
                ["java.security.auth.login.config"] = jaas,
            });
        }
        await cluster.StartBrokerAsync();
        // The harness's readiness probe is plain http: wait for each worker's first assignment instead.
        foreach (var worker in cluster.Workers)
        {
            worker.Launch();
        }
        await Task.WhenAll(cluster.Workers.Select(w => w.WaitForFirstAssignmentAsync()));
        var leader = await cluster.LeaderAsync();
        var followerPort = ports[cluster.Workers.IndexOf(cluster.Workers.Single(w => w != leader))];
        var follower = $"https://127.0.0.1:{followerPort}";

        Assert.Equal(401, (await Curl.RunAsync("--cacert", pki.CaCert, follower + "/connectors")).Status);

        // Created through the follower: forwarded to the leader over https, credentials included. Two connectors,
        // so that one runs on the follower and its task configs go to the leader as a signed internal request.
        foreach (var name in new[] { "secure-a", "secure-b" })
        {
            var input = cluster.PathOf(name + ".txt");
            await File.WriteAllTextAsync(input, "");
            var created = await Curl.RunAsync("--cacert", pki.CaCert, "-u", "admin:admin-secret", "-X", "POST",
                "-H", "Content-Type: application/json",
                "--data", $$$"""{"name":"{{{name}}}","config":{"connector.class":"FileStreamSource","tasks.max":"1","file":"{{{input}}}","topic":"{{{name}}}"}}""",
                follower + "/connectors");
            Assert.True(created.Status == 201, $"create {name}: {created.Status} {created.Body} {created.Stderr}\n{cluster.Tails(40)}");
        }
        var workersRunningTasks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in new[] { "secure-a", "secure-b" })
        {
            await Eventually.WaitAsync(async () =>
            {
                var status = await Curl.RunAsync("--cacert", pki.CaCert, "-u", "admin:admin-secret", follower + $"/connectors/{name}/status");
                if (status.Status != 200)
                {
                    return false;
                }
                using var doc = JsonDocument.Parse(status.Body);
                var tasks = doc.RootElement.GetProperty("tasks");
                if (tasks.GetArrayLength() != 1 || tasks[0].GetProperty("state").GetString() != "RUNNING")
                {
                    return false;
                }
                workersRunningTasks.Add(doc.RootElement.GetProperty("connector").GetProperty("worker_id").GetString()!);
                return true;
            }, TimeSpan.FromSeconds(60), () => $"{name} has no RUNNING task:\n{cluster.Tails(60)}");
        }
        // One connector per worker: the follower's connector has tasks only because the leader accepted its signed
        // task configs (over https, past basic auth).
        Assert.True(workersRunningTasks.Count == 2, $"connectors ran on {string.Join(", ", workersRunningTasks)} only:\n{cluster.Tails(40)}");
        Assert.Contains($"127.0.0.1:{followerPort}", workersRunningTasks);
        await cluster.StopAllAsync();
    }
}
