using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace KafkaConnect.Connect.Rest.Tests;

/// <summary>
/// Requests as tutorials send them with curl (seed 004): a space before the header colon
/// (<c>-H "Content-Type : application/json"</c>, which Jetty accepts), <c>--data @file</c> (which joins the file's lines),
/// and regular expressions with <c>\.</c> inside JSON strings.
/// </summary>
public sealed class TutorialRequestTests : RestTestBase
{
    private async Task<(int Status, string Body)> CurlAsync(string method, string path, string? dataFile = null)
    {
        var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-s", "-X", method, "-H", "Content-Type : application/json", "-w", "\n%{http_code}", new Uri(Client.BaseAddress!, path).ToString() })
        {
            psi.ArgumentList.Add(arg);
        }
        if (dataFile is not null)
        {
            psi.ArgumentList.Add("--data");
            psi.ArgumentList.Add("@" + dataFile);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("curl did not start (scripts/test.sh installs it)");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"curl failed: {await process.StandardError.ReadToEndAsync()}");
        var split = output.LastIndexOf('\n');
        return (int.Parse(output[(split + 1)..], System.Globalization.CultureInfo.InvariantCulture), output[..split]);
    }

    private static string Write(string json)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task A_space_before_the_header_colon_is_accepted_as_jetty_does()
    {
        var (status, body) = await CurlAsync("GET", "/connector-plugins");
        Assert.Equal(200, status);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(body).RootElement.ValueKind);
    }

    [Fact]
    public async Task A_backslash_before_any_character_in_a_json_string_stands_for_that_character()
    {
        var file = Write("""
            {
              "name" : "regex",
              "config" : {
                "connector.class" : "FileStreamSource",
                "topic" : "t",
                "input.file.pattern" : "/\.*\\.csv"
              }
            }
            """);
        try
        {
            var (status, body) = await CurlAsync("POST", "/connectors", file);
            Assert.True(status == 201, body);
            Assert.Equal(@"/.*\.csv", (await Herder.ConnectorConfigAsync("regex"))["input.file.pattern"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_comment_in_the_body_is_a_400_that_says_where()
    {
        // curl --data drops the file's newlines, so everything after the first '#' is on the same line.
        var file = Write("""
            {
              "name" : "commented",
              "config" : {
                "connector.class" : "FileStreamSource",
                "empty.poll.wait.ms" : 30000, # polling interval
                "topic" : "t"
              }
            }
            """);
        try
        {
            var (status, body) = await CurlAsync("POST", "/connectors", file);
            Assert.Equal(400, status);
            var json = JsonDocument.Parse(body).RootElement;
            AssertError(json, 400);
            var message = json.GetProperty("message").GetString()!;
            var joined = File.ReadAllText(file).Replace("\n", string.Empty, StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal);
            var column = joined.IndexOf('#', StringComparison.Ordinal) + 1;
            Assert.StartsWith($"Malformed JSON in request body at line 1, column {column} (near '# polling interval", message, StringComparison.Ordinal);
            Assert.DoesNotContain("commented", await Herder.ConnectorsAsync());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Malformed_request_heads_other_than_the_space_still_fail()
    {
        // A header line without a name is not repaired into one.
        Assert.Equal(HttpStatusCode.BadRequest, RawStatus("GET /connectors HTTP/1.1\r\nHost: x\r\n : nameless\r\n\r\n"));
        Assert.Equal(HttpStatusCode.OK, RawStatus("GET /connectors HTTP/1.1\r\nHost: x\r\nAccept\t: application/json\r\n\r\n"));
    }

    private HttpStatusCode RawStatus(string request)
    {
        using var socket = new System.Net.Sockets.TcpClient(Client.BaseAddress!.Host, Client.BaseAddress.Port);
        using var stream = socket.GetStream();
        stream.Write(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream);
        var statusLine = reader.ReadLine() ?? string.Empty;
        return (HttpStatusCode)int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
