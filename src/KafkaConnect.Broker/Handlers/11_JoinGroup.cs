// JoinGroup (key 11), v0-9, for any protocol type (consumer, connect, ...): the coordinator passes member
// metadata through untouched. v4+ new members first get MEMBER_ID_REQUIRED with their id; v5+ static members.
using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class JoinGroupHandler : ApiHandler<JoinGroupRequest, JoinGroupResponse>
{
    public override ApiKey Key => ApiKey.JoinGroup;
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override async ValueTask<JoinGroupResponse?> Handle(RequestContext context, JoinGroupRequest request, CancellationToken cancellationToken)
    {
        var result = await context.Broker.Groups.JoinAsync(new JoinGroupArgs
        {
            GroupId = request.GroupId,
            MemberId = request.MemberId,
            GroupInstanceId = request.GroupInstanceId,
            ClientId = context.ClientId ?? "",
            ClientHost = "/" + context.Connection.RemoteHost,
            SessionTimeoutMs = request.SessionTimeoutMs,
            RebalanceTimeoutMs = context.ApiVersion == 0 ? request.SessionTimeoutMs : request.RebalanceTimeoutMs,
            ProtocolType = request.ProtocolType,
            Protocols = request.Protocols.Select(p => new GroupProtocol(p.Name, p.Metadata)).ToList(),
            RequireKnownMemberId = context.ApiVersion >= 4,
            Reason = request.Reason,
        }, cancellationToken).ConfigureAwait(false);
        var response = new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName ?? (context.ApiVersion >= 7 ? null : ""),
            Leader = result.LeaderId,
            SkipAssignment = result.SkipAssignment,
            MemberId = result.MemberId,
        };
        if (!(result.SkipAssignment && context.ApiVersion < 9))
        {
            foreach (var m in result.Members)
                response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember { MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, Metadata = m.Metadata });
        }
        return response;
    }
}
