using System.Globalization;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Admin;

public sealed partial class KafkaAdminClient
{
    /// <summary>Every setting of each resource with its effective value and where it comes from.</summary>
    public async Task<IReadOnlyDictionary<ConfigResource, IReadOnlyList<ConfigEntry>>> DescribeConfigsAsync(
        IEnumerable<ConfigResource> resources, bool includeDocumentation = false, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<ConfigResource, IReadOnlyList<ConfigEntry>>();
        await PerResourceAsync("DescribeConfigs", resources, async (connection, batch, ct) =>
        {
            var response = await SendAsync<DescribeConfigsResponse>(connection, ApiKey.DescribeConfigs, 1, 4, _ =>
            {
                var request = new DescribeConfigsRequest { IncludeDocumentation = includeDocumentation };
                foreach (var r in batch)
                    request.Resources.Add(new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = (sbyte)r.Type, ResourceName = r.Name, ConfigurationKeys = null });
                return request;
            }, ct).ConfigureAwait(false);
            var answers = new List<(ConfigResource, ErrorCode, string?)>(response.Results.Count);
            foreach (var r in response.Results)
            {
                var resource = new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName);
                answers.Add((resource, (ErrorCode)r.ErrorCode, r.ErrorMessage));
                if (r.ErrorCode != 0) continue;
                var entries = new List<ConfigEntry>(r.Configs.Count);
                foreach (var c in r.Configs)
                    entries.Add(new ConfigEntry(c.Name, c.Value, (ConfigSource)c.ConfigSource, c.ReadOnly, c.IsSensitive, string.IsNullOrEmpty(c.Documentation) ? null : c.Documentation));
                result[resource] = entries;
            }
            return answers;
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Replaces each resource's overrides with exactly the given set (settings left out return to their
    /// defaults), as Kafka's legacy AlterConfigs does. Prefer <see cref="IncrementalAlterConfigsAsync"/>.
    /// </summary>
    public Task AlterConfigsAsync(IReadOnlyDictionary<ConfigResource, IReadOnlyDictionary<string, string?>> configs, bool validateOnly = false, CancellationToken cancellationToken = default)
        => PerResourceAsync("AlterConfigs", configs.Keys, async (connection, batch, ct) =>
        {
            var response = await SendAsync<AlterConfigsResponse>(connection, ApiKey.AlterConfigs, 0, 2, _ =>
            {
                var request = new AlterConfigsRequest { ValidateOnly = validateOnly };
                foreach (var r in batch)
                {
                    var resource = new AlterConfigsRequest.AlterConfigsResource { ResourceType = (sbyte)r.Type, ResourceName = r.Name };
                    foreach (var (name, value) in configs[r])
                        resource.Configs.Add(new AlterConfigsRequest.AlterableConfig { Name = name, Value = value });
                    request.Resources.Add(resource);
                }
                return request;
            }, ct).ConfigureAwait(false);
            var answers = new List<(ConfigResource, ErrorCode, string?)>(response.Responses.Count);
            foreach (var r in response.Responses)
                answers.Add((new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName), (ErrorCode)r.ErrorCode, r.ErrorMessage));
            return answers;
        }, cancellationToken);

    /// <summary>Applies SET/DELETE/APPEND/SUBTRACT changes to each resource's settings, leaving the others as they are.</summary>
    public Task IncrementalAlterConfigsAsync(IReadOnlyDictionary<ConfigResource, IReadOnlyList<AlterConfigOp>> changes, bool validateOnly = false, CancellationToken cancellationToken = default)
        => PerResourceAsync("IncrementalAlterConfigs", changes.Keys, async (connection, batch, ct) =>
        {
            var response = await SendAsync<IncrementalAlterConfigsResponse>(connection, ApiKey.IncrementalAlterConfigs, 0, 1, _ =>
            {
                var request = new IncrementalAlterConfigsRequest { ValidateOnly = validateOnly };
                foreach (var r in batch)
                {
                    var resource = new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = (sbyte)r.Type, ResourceName = r.Name };
                    foreach (var op in changes[r])
                        resource.Configs.Add(new IncrementalAlterConfigsRequest.AlterableConfig { Name = op.Name, ConfigOperation = (sbyte)op.Op, Value = op.Value });
                    request.Resources.Add(resource);
                }
                return request;
            }, ct).ConfigureAwait(false);
            var answers = new List<(ConfigResource, ErrorCode, string?)>(response.Responses.Count);
            foreach (var r in response.Responses)
                answers.Add((new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName), (ErrorCode)r.ErrorCode, r.ErrorMessage));
            return answers;
        }, cancellationToken);

    /// <summary>
    /// Sends config requests where they belong: broker resources to the broker they name, the rest to the
    /// controller; retries resources whose answer was retriable and throws for the ones that failed.
    /// </summary>
    private async Task PerResourceAsync(string operation, IEnumerable<ConfigResource> resources,
        Func<KafkaConnection, List<ConfigResource>, CancellationToken, Task<List<(ConfigResource Resource, ErrorCode Error, string? Message)>>> send,
        CancellationToken cancellationToken)
    {
        var pending = new HashSet<ConfigResource>(resources);
        if (pending.Count == 0) return;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var byNode = new Dictionary<int, List<ConfigResource>>();
            foreach (var r in pending)
            {
                var node = await NodeForResourceAsync(r, ct).ConfigureAwait(false);
                if (!byNode.TryGetValue(node, out var list)) byNode[node] = list = [];
                list.Add(r);
            }
            var calls = new List<Task<List<(ConfigResource Resource, ErrorCode Error, string? Message)>>>(byNode.Count);
            foreach (var (node, batch) in byNode)
            {
                var connection = node < 0
                    ? await GetControllerConnectionAsync(ct).ConfigureAwait(false)
                    : await _cluster.GetConnectionAsync(node, ct).ConfigureAwait(false);
                calls.Add(send(connection, batch, ct));
            }
            foreach (var answers in await Task.WhenAll(calls).ConfigureAwait(false))
            {
                foreach (var (resource, error, message) in answers)
                {
                    if (pending.Contains(resource) && outcome.Record(Describe(resource), error, message)) pending.Remove(resource);
                }
            }
            if (outcome.Retriable?.Error == ErrorCode.NotController) await RefreshControllerAsync(ct).ConfigureAwait(false);
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
    }

    /// <summary>The broker a resource's request goes to: the named broker, or -1 for the controller.</summary>
    private async Task<int> NodeForResourceAsync(ConfigResource resource, CancellationToken ct)
    {
        if (resource.Type is not (ConfigResourceType.Broker or ConfigResourceType.BrokerLogger) || resource.Name.Length == 0) return -1;
        if (!int.TryParse(resource.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw Error("Config", Describe(resource), ErrorCode.InvalidRequest, "a broker resource is named by its node id");
        if (!_cluster.Metadata.Brokers.ContainsKey(id)) await RefreshControllerAsync(ct).ConfigureAwait(false);
        if (!_cluster.Metadata.Brokers.ContainsKey(id))
            throw Error("Config", Describe(resource), ErrorCode.BrokerNotAvailable, $"broker {id} is not in the cluster");
        return id;
    }

    private static string Describe(ConfigResource r) => r.Type switch
    {
        ConfigResourceType.Topic => $"topic '{r.Name}'",
        ConfigResourceType.Broker => $"broker '{r.Name}'",
        _ => $"{r.Type} '{r.Name}'",
    };
}
