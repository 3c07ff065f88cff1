// Heartbeat (key 12), v0-4: keeps a member's session alive and tells it when to rejoin.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class HeartbeatHandler : SyncApiHandler<HeartbeatRequest, HeartbeatResponse>
{
    public override ApiKey Key => ApiKey.Heartbeat;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override HeartbeatResponse Handle(RequestContext context, HeartbeatRequest request)
        => new() { ErrorCode = (short)context.Broker.Groups.Heartbeat(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId) };
}
