using System.Net;

namespace KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

/// <summary>Waiting for a worker process's REST API, shared by the standalone and distributed harnesses.</summary>
internal static class RestReady
{
    /// <summary>Polls <c>GET /health</c> (KIP-1017) until it answers 200, i.e. the worker serves requests; returns the process's age then. Fails with its log tail if it exits or times out.</summary>
    public static async Task<TimeSpan> WaitAsync(ChildProcess run, string url, string who, TimeSpan timeout)
    {
        using var probe = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(2) };
        while (run.Elapsed < timeout)
        {
            if (run.HasExited)
            {
                await run.WaitForExitAsync(TimeSpan.FromSeconds(5));
                throw new Xunit.Sdk.XunitException($"{who} exited with code {run.ExitCode} before REST was ready:{Environment.NewLine}{run.Tail(80)}");
            }
            try
            {
                using var response = await probe.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return run.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(10);
        }
        throw new Xunit.Sdk.XunitException($"{who}: REST not ready within {timeout.TotalSeconds:F0}s:{Environment.NewLine}{run.Tail(80)}");
    }
}
