using System.Diagnostics;
using KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;
using KafkaConnect.Security.Tests;
using Xunit.Abstractions;

namespace KafkaConnect.Connect.EndToEnd.Tests;

/// <summary>
/// A standalone worker's REST API secured the way Apache users configure it (HTTPS with listeners.https.ssl.*,
/// ssl.client.auth, the basic-auth extension with a JAAS file from KAFKA_OPTS, admin.listeners, response headers),
/// checked with the real curl. Certificates are made by openssl and keytool.
/// </summary>
public sealed class RestSecurityTests(ITestOutputHelper output)
{
    private const string BasicAuthExtension = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";

    [Fact]
    public async Task Https_admin_listeners_and_response_headers_with_curl()
    {
        var pki = await TestPki.SharedAsync();
        await using var worker = new WorkerProcess(output);
        var adminPort = ChildProcess.FreePort();
        var workerFile = worker.ClassicWorkerFile(extra: $"""
            listeners=https://127.0.0.1:{worker.RestPort}
            listeners.https.ssl.keystore.location={pki.ServerJks}
            listeners.https.ssl.keystore.password={TestPki.Password}
            listeners.https.ssl.key.password={TestPki.Password}
            admin.listeners=http://127.0.0.1:{adminPort}
            response.http.headers.config=set X-Frame-Options: DENY, "add X-Note: one,two"
            """);
        await using var run = await StartAsync(worker, workerFile);
        var https = $"https://127.0.0.1:{worker.RestPort}";

        var root = await Curl.RunAsync("--cacert", pki.CaCert, https + "/");
        Assert.Equal(200, root.Status);
        Assert.Contains("\"kafka_cluster_id\"", root.Body, StringComparison.Ordinal);
        Assert.Contains("x-frame-options: DENY", root.Headers, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x-note: one,two", root.Headers, StringComparison.OrdinalIgnoreCase);

        var connectors = await Curl.RunAsync("--cacert", pki.CaCert, https + "/connectors");
        Assert.Equal(200, connectors.Status);
        Assert.Equal("[]", connectors.Body.Trim());

        // Without the CA, curl refuses the server's certificate (exit 60: peer certificate cannot be authenticated).
        var untrusted = await Curl.RunAsync(https + "/");
        Assert.Equal(60, untrusted.ExitCode);
        // Trusting another CA is no better.
        Assert.Equal(60, (await Curl.RunAsync("--cacert", pki.OtherCaCert, https + "/")).ExitCode);
        // Plain http on the https port gets no REST answer.
        Assert.NotEqual(200, (await Curl.RunAsync($"http://127.0.0.1:{worker.RestPort}/")).Status);

        var adminLoggers = await Curl.RunAsync($"http://127.0.0.1:{adminPort}/admin/loggers");
        Assert.Equal(200, adminLoggers.Status);
        Assert.Contains("\"root\"", adminLoggers.Body, StringComparison.Ordinal);
        Assert.Contains("x-frame-options: DENY", adminLoggers.Headers, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(404, (await Curl.RunAsync("--cacert", pki.CaCert, https + "/admin/loggers")).Status);
        Assert.Equal(404, (await Curl.RunAsync($"http://127.0.0.1:{adminPort}/connectors")).Status);

        Assert.Contains($"https://127.0.0.1:{worker.RestPort}", run.Output, StringComparison.Ordinal);
        await StopAsync(run);
    }

    [Fact]
    public async Task Required_client_certificate_with_curl()
    {
        var pki = await TestPki.SharedAsync();
        await using var worker = new WorkerProcess(output);
        var workerFile = worker.ClassicWorkerFile(extra: $"""
            listeners=https://127.0.0.1:{worker.RestPort}
            ssl.keystore.type=PEM
            ssl.keystore.location={pki.ServerKeyAndChainPem}
            ssl.truststore.type=PKCS12
            ssl.truststore.location={pki.TrustP12}
            ssl.truststore.password={TestPki.Password}
            ssl.client.authentication=required
            """);
        await using var run = await StartAsync(worker, workerFile);
        var url = $"https://127.0.0.1:{worker.RestPort}/connectors";

        var anonymous = await Curl.RunAsync("--cacert", pki.CaCert, url);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.NotEqual(200, anonymous.Status);

        var withCert = await Curl.RunAsync("--cacert", pki.CaCert, "--cert", pki.ClientCert, "--key", pki.ClientKey, url);
        Assert.Equal(200, withCert.Status);
        Assert.Equal("[]", withCert.Body.Trim());
        await StopAsync(run);
    }

    [Fact]
    public async Task Basic_auth_from_the_JAAS_file_in_KAFKA_OPTS_with_curl()
    {
        await using var worker = new WorkerProcess(output);
        var credentials = worker.WriteFile("credentials.properties", "# user: password\nadmin: admin-secret\nops=ops-secret\n");
        var jaas = worker.WriteFile("connect-jaas.conf", $$"""
            KafkaConnect {
                org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
                file="{{credentials}}";
            };
            """);
        var workerFile = worker.ClassicWorkerFile(extra: $"rest.extension.classes={BasicAuthExtension}\n");
        await using var run = await StartAsync(worker, workerFile, new Dictionary<string, string>
        {
            ["KAFKA_OPTS"] = $"-Xms64m -Djava.security.auth.login.config={jaas}",
        });
        var rest = worker.RestUrl;

        var anonymous = await Curl.RunAsync(rest + "/connectors");
        Assert.Equal(401, anonymous.Status);
        Assert.Equal("User cannot access the resource.", anonymous.Body);
        Assert.Equal(401, (await Curl.RunAsync("-u", "admin:wrong", rest + "/connectors")).Status);
        Assert.Equal(401, (await Curl.RunAsync("-u", "nobody:admin-secret", rest + "/connectors")).Status);

        var listed = await Curl.RunAsync("-u", "admin:admin-secret", rest + "/connectors");
        Assert.Equal(200, listed.Status);
        Assert.Equal("[]", listed.Body.Trim());

        var created = await Curl.RunAsync("-u", "ops:ops-secret", "-X", "POST", "-H", "Content-Type: application/json",
            "--data", $$$"""{"name":"guarded","config":{"connector.class":"FileStreamSource","tasks.max":"1","file":"{{{worker.PathOf("in.txt")}}}","topic":"guarded"}}""",
            rest + "/connectors");
        Assert.Equal(201, created.Status);
        var status = await Curl.RunAsync("-u", "ops:ops-secret", rest + "/connectors/guarded/status");
        Assert.Equal(200, status.Status);
        Assert.Contains("\"name\":\"guarded\"", status.Body, StringComparison.Ordinal);
        Assert.Equal(401, (await Curl.RunAsync(rest + "/connectors/guarded/status")).Status);
        Assert.Equal(401, (await Curl.RunAsync("-X", "DELETE", rest + "/connectors/guarded")).Status);
        Assert.Equal(204, (await Curl.RunAsync("-u", "admin:admin-secret", "-X", "DELETE", rest + "/connectors/guarded")).Status);
        await StopAsync(run);
    }

    [Fact]
    public async Task Bad_key_stores_and_JAAS_files_stop_the_worker_with_the_key_or_file_named()
    {
        var pki = await TestPki.SharedAsync();
        await using var worker = new WorkerProcess(output);
        var notAKeyStore = worker.WriteFile("not-a-keystore.jks", "this is not a Java key store\n");
        var malformedJaas = worker.WriteFile("bad-jaas.conf", """
            KafkaConnect {
                org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
                file="/etc/connect/credentials.properties"
            };
            """);
        var cases = new (string Name, string Extra, string[] Expected)[]
        {
            ("wrong-password", $"""
                listeners=https://127.0.0.1:{worker.RestPort}
                listeners.https.ssl.keystore.location={pki.ServerJks}
                listeners.https.ssl.keystore.password=not-the-password
                """, ["listeners.https.ssl.keystore"]),
            ("not-a-keystore", $"""
                listeners=https://127.0.0.1:{worker.RestPort}
                ssl.keystore.location={notAKeyStore}
                ssl.keystore.password={TestPki.Password}
                """, ["ssl.keystore", "not-a-keystore.jks"]),
            ("malformed-jaas", $"""
                rest.extension.classes={BasicAuthExtension}
                java.security.auth.login.config={malformedJaas}
                """, ["bad-jaas.conf", "java.security.auth.login.config", "not terminated by semi-colon"]),
            ("unknown-extension", "rest.extension.classes=com.example.AuditRestExtension\n", ["rest.extension.classes", "com.example.AuditRestExtension"]),
        };
        foreach (var (name, extra, expected) in cases)
        {
            var file = worker.WriteFile(name + ".properties", File.ReadAllText(worker.ClassicWorkerFile()) + extra + "\n");
            await using var run = ChildProcess.Start(worker.Dir, ["standalone", file]);
            Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"{name}: worker still running:\n{run.Tail(40)}");
            output.WriteLine($"--- {name}: exit {run.ExitCode}\n{run.Output}");
            Assert.NotEqual(0, run.ExitCode);
            foreach (var text in expected)
            {
                Assert.Contains(text, run.Output, StringComparison.Ordinal);
            }
            Assert.DoesNotContain("Unhandled exception", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-password", run.Output, StringComparison.Ordinal);
        }
    }

    // The harness's own start waits on plain-http /health, which an https or authenticated worker does not answer
    // anonymously: wait for the worker's "listening" line instead.
    private static async Task<ChildProcess> StartAsync(WorkerProcess worker, string workerFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var run = ChildProcess.Start(worker.Dir, ["standalone", workerFile], environment);
        var listening = run.WhenLogged("REST server listening at");
        var exited = run.WaitForExitAsync(TimeSpan.FromSeconds(60));
        if (await Task.WhenAny(listening, exited) != listening)
        {
            var tail = run.Tail(80);
            await run.DisposeAsync();
            throw new Xunit.Sdk.XunitException($"worker did not start listening (exited: {run.HasExited}):{Environment.NewLine}{tail}");
        }
        return run;
    }

    private async Task StopAsync(ChildProcess run)
    {
        run.Terminate();
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)), "worker ignored SIGTERM:\n" + run.Tail(60));
        output.WriteLine(run.Tail(120));
        Assert.Equal(0, run.ExitCode);
    }
}

/// <summary>The real curl, as a user runs it: status, response headers and body of one request.</summary>
internal static class Curl
{
    public sealed record Result(int ExitCode, int Status, string Headers, string Body, string Stderr);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("kconnect-curl-");
        try
        {
            var headers = Path.Combine(dir.FullName, "headers");
            var body = Path.Combine(dir.FullName, "body");
            var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-sS", "--max-time", "20", "-D", headers, "-o", body, "-w", "%{http_code}" }.Concat(args))
            {
                psi.ArgumentList.Add(a);
            }
            Process process;
            try
            {
                process = Process.Start(psi)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("curl is needed by these tests and is not installed (scripts/test.sh installs it).", e);
            }
            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                var code = int.TryParse((await stdout).Trim(), out var c) ? c : 0;
                return new Result(process.ExitCode, code,
                    File.Exists(headers) ? await File.ReadAllTextAsync(headers) : "",
                    File.Exists(body) ? await File.ReadAllTextAsync(body) : "",
                    await stderr);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
