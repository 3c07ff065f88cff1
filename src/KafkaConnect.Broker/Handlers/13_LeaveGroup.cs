// LeaveGroup (key 13), v0-5: v0-2 one member by id, v3+ a batch of members (with instance ids).
using KafkaConnect.Broker.Groups;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class LeaveGroupHandler : SyncApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    public override ApiKey Key => ApiKey.LeaveGroup;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override LeaveGroupResponse Handle(RequestContext context, LeaveGroupRequest request)
    {
        var members = context.ApiVersion < 3
            ? [new LeaveGroupMember(request.MemberId, null)]
            : request.Members.Select(m => new LeaveGroupMember(m.MemberId, m.GroupInstanceId)).ToList();
        var result = context.Broker.Groups.Leave(request.GroupId, members);
        var response = new LeaveGroupResponse { ErrorCode = (short)result.Error };
        if (context.ApiVersion < 3)
        {
            if (result.Error == ErrorCode.None && result.Members.Count == 1) response.ErrorCode = (short)result.Members[0].Error;
            return response;
        }
        foreach (var m in result.Members)
            response.Members.Add(new LeaveGroupResponse.MemberResponse { MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, ErrorCode = (short)m.Error });
        return response;
    }
}
