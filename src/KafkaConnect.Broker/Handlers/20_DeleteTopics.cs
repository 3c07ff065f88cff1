// DeleteTopics (key 20), v0-6: by name, or (v6+) by topic id. The partitions' files are removed at once.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class DeleteTopicsHandler : SyncApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    public override ApiKey Key => ApiKey.DeleteTopics;
    public override short MinVersion => 0;
    public override short MaxVersion => 6;

    protected override DeleteTopicsResponse Handle(RequestContext context, DeleteTopicsRequest request)
    {
        var topics = context.Broker.Topics;
        var response = new DeleteTopicsResponse();
        var wanted = context.ApiVersion >= 6
            ? request.Topics.Select(t => (t.Name, t.TopicId)).ToList()
            : request.TopicNames.Select(n => ((string?)n, Uuid.Zero)).ToList();
        foreach (var (name, id) in wanted)
        {
            var result = new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = id };
            response.Responses.Add(result);
            var topic = name is not null ? topics.Get(name) : topics.Get(id);
            if (topic is null || (name is not null && !id.IsZero && topic.Id != id))
            {
                result.ErrorCode = (short)(name is null ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition);
                result.ErrorMessage = "The topic does not exist.";
                continue;
            }
            result.Name = topic.Name;
            result.TopicId = topic.Id;
            var error = topics.Delete(topic.Name, out var message);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }
        return response;
    }
}
