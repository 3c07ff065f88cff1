// SyncGroup (key 14), v0-5: the leader hands in the assignment; every member gets its own share.
using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class SyncGroupHandler : ApiHandler<SyncGroupRequest, SyncGroupResponse>
{
    public override ApiKey Key => ApiKey.SyncGroup;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<SyncGroupResponse?> Handle(RequestContext context, SyncGroupRequest request, CancellationToken cancellationToken)
    {
        var result = await context.Broker.Groups.SyncAsync(new SyncGroupArgs
        {
            GroupId = request.GroupId,
            GenerationId = request.GenerationId,
            MemberId = request.MemberId,
            GroupInstanceId = request.GroupInstanceId,
            ProtocolType = request.ProtocolType,
            ProtocolName = request.ProtocolName,
            Assignments = request.Assignments.Select(a => (a.MemberId, a.Assignment)).ToList(),
        }, cancellationToken).ConfigureAwait(false);
        return new SyncGroupResponse
        {
            ErrorCode = (short)result.Error,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
            Assignment = result.Assignment,
        };
    }
}
