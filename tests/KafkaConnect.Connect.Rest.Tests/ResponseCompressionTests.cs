using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;

namespace KafkaConnect.Connect.Rest.Tests;

/// <summary>Answers are compressed only when the client asks for it, and decode to exactly what an uncompressed answer holds.</summary>
public sealed class ResponseCompressionTests : RestTestBase
{
    private const string Expanded = "/connectors?expand=status&expand=info";

    private async Task<(HttpResponseMessage Response, byte[] Body)> GetRaw(string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        var response = await Client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private async Task CreateConnectors(int count)
    {
        for (var i = 0; i < count; i++) await CreateFileSource($"source-{i:D3}", $$$""","tasks.max":"1","batch.size":"{{{i}}}" """);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task A_client_that_asks_gets_a_compressed_answer_that_decodes_to_the_plain_one(string encoding)
    {
        await CreateConnectors(60);
        var (plainResponse, plain) = await GetRaw(Expanded, null);
        using (plainResponse)
        {
            Assert.Equal(HttpStatusCode.OK, plainResponse.StatusCode);
            Assert.Empty(plainResponse.Content.Headers.ContentEncoding);
        }

        var (response, compressed) = await GetRaw(Expanded, encoding);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(Encoding.UTF8.GetString(plain), Encoding.UTF8.GetString(Decode(encoding, compressed)));
        // 60 near-identical connectors compress well; the point of doing it.
        Assert.True(compressed.Length * 5 < plain.Length, $"{compressed.Length} compressed bytes for {plain.Length} plain");
    }

    [Fact]
    public async Task Errors_are_compressed_too_and_keep_their_status()
    {
        var (response, body) = await GetRaw("/connectors/missing", "gzip");
        using (response)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        }
        Assert.Equal("""{"error_code":404,"message":"Connector missing not found"}""", Encoding.UTF8.GetString(Decode("gzip", body)));
    }

    [Fact]
    public async Task Curl_with_compressed_reads_the_same_answer_as_without()
    {
        await CreateConnectors(20);
        var url = new Uri(Server.Addresses[0], Expanded).ToString();
        var plain = await Curl("-s", url);
        var compressed = await Curl("-s", "--compressed", "-D", "-", url);
        Assert.Contains("content-encoding: ", compressed.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Equal(plain, compressed[(compressed.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    private static byte[] Decode(string encoding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "gzip" ? new GZipStream(input, CompressionMode.Decompress) : new BrotliStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    private static async Task<string> Curl(params string[] args)
    {
        // curl is installed by scripts/test.sh; a missing one fails here rather than skipping.
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"curl exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        return output;
    }
}
