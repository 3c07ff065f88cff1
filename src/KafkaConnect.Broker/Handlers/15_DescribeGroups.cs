// DescribeGroups (key 15), v0-5. An unknown group is reported as state Dead (v0-5 carry no error for it).
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class DescribeGroupsHandler : SyncApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    public override ApiKey Key => ApiKey.DescribeGroups;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override DescribeGroupsResponse Handle(RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (var id in request.Groups)
        {
            var d = context.Broker.Groups.Describe(id);
            var g = new DescribeGroupsResponse.DescribedGroup
            {
                ErrorCode = (short)(d.Error == ErrorCode.GroupIdNotFound ? ErrorCode.None : d.Error),
                GroupId = d.GroupId,
                GroupState = d.State,
                ProtocolType = d.ProtocolType,
                ProtocolData = d.ProtocolName,
            };
            foreach (var m in d.Members)
                g.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                });
            response.Groups.Add(g);
        }
        return response;
    }
}
