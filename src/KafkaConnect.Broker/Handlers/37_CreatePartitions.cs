// CreatePartitions (key 37), v0-3: grows a topic to the requested partition count.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class CreatePartitionsHandler : SyncApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override ApiKey Key => ApiKey.CreatePartitions;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override CreatePartitionsResponse Handle(RequestContext context, CreatePartitionsRequest request)
    {
        var broker = context.Broker;
        var response = new CreatePartitionsResponse();
        foreach (var t in request.Topics)
        {
            var result = new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = t.Name };
            response.Results.Add(result);
            if (t.Assignments is not null && t.Assignments.Any(a => a.BrokerIds.Count != 1 || a.BrokerIds[0] != broker.NodeId))
            {
                result.ErrorCode = (short)ErrorCode.InvalidReplicaAssignment;
                result.ErrorMessage = $"This is a single-node cluster: every partition's only replica is broker {broker.NodeId}.";
                continue;
            }
            result.ErrorCode = (short)broker.Topics.AddPartitions(t.Name, t.Count, request.ValidateOnly, out var message);
            result.ErrorMessage = message;
        }
        return response;
    }
}
