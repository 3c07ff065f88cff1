// IncrementalAlterConfigs (key 44), v0-1: SET (0), DELETE (1), APPEND (2) and SUBTRACT (3) on topic configs;
// APPEND/SUBTRACT apply to list settings (cleanup.policy).
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class IncrementalAlterConfigsHandler : SyncApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    public override ApiKey Key => ApiKey.IncrementalAlterConfigs;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override IncrementalAlterConfigsResponse Handle(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        foreach (var r in request.Resources)
        {
            var result = new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = r.ResourceType, ResourceName = r.ResourceName };
            response.Responses.Add(result);
            if (r.ResourceType != DescribeConfigsHandler.TopicResource)
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = "Only topic configs can be altered; broker settings are read at start-up.";
                continue;
            }
            result.ErrorCode = (short)context.Broker.Topics.AlterConfigs(r.ResourceName, current => Apply(current, r.Configs, context.Broker.Topics.Defaults), request.ValidateOnly, out var message);
            result.ErrorMessage = message;
        }
        return response;
    }

    private static Dictionary<string, string> Apply(IReadOnlyDictionary<string, string> current, List<IncrementalAlterConfigsRequest.AlterableConfig> changes, Storage.LogConfig defaults)
    {
        var next = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var c in changes)
        {
            switch (c.ConfigOperation)
            {
                case 0:
                    next[c.Name] = c.Value ?? throw new ArgumentException($"{c.Name}: SET needs a value.");
                    break;
                case 1:
                    next.Remove(c.Name);
                    break;
                case 2:
                case 3:
                    var existing = next.TryGetValue(c.Name, out var v) ? v
                        : defaults.ToProperties().TryGetValue(c.Name, out var d) ? d : "";
                    var items = existing.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
                    var given = (c.Value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    if (c.ConfigOperation == 2) items.AddRange(given.Where(g => !items.Contains(g)));
                    else items.RemoveAll(given.Contains);
                    next[c.Name] = string.Join(',', items);
                    break;
                default:
                    throw new ArgumentException($"{c.Name}: unknown config operation {c.ConfigOperation}.");
            }
        }
        return next;
    }
}
