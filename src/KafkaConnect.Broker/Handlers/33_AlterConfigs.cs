// AlterConfigs (key 33), v0-2: replaces a topic's whole set of overrides. Broker settings are static here.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class AlterConfigsHandler : SyncApiHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    public override ApiKey Key => ApiKey.AlterConfigs;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override AlterConfigsResponse Handle(RequestContext context, AlterConfigsRequest request)
    {
        var response = new AlterConfigsResponse();
        foreach (var r in request.Resources)
        {
            var result = new AlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = r.ResourceType, ResourceName = r.ResourceName };
            response.Responses.Add(result);
            if (r.ResourceType != DescribeConfigsHandler.TopicResource)
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = "Only topic configs can be altered; broker settings are read at start-up.";
                continue;
            }
            var replacement = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var c in r.Configs)
                if (c.Value is not null) replacement[c.Name] = c.Value;
            result.ErrorCode = (short)context.Broker.Topics.AlterConfigs(r.ResourceName, _ => replacement, request.ValidateOnly, out var message);
            result.ErrorMessage = message;
        }
        return response;
    }
}
