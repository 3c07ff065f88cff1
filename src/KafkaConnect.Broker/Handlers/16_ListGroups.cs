// ListGroups (key 16), v0-5, with the v4 state filter; every group here is a classic group (v5 type filter).
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class ListGroupsHandler : SyncApiHandler<ListGroupsRequest, ListGroupsResponse>
{
    public override ApiKey Key => ApiKey.ListGroups;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override ListGroupsResponse Handle(RequestContext context, ListGroupsRequest request)
    {
        var error = context.Broker.Groups.ListGroups(request.StatesFilter.Count > 0 ? request.StatesFilter : null, out var groups);
        var response = new ListGroupsResponse { ErrorCode = (short)error };
        var classic = request.TypesFilter.Count == 0 || request.TypesFilter.Any(t => t.Equals("classic", StringComparison.OrdinalIgnoreCase));
        if (!classic) return response;
        foreach (var g in groups)
            response.Groups.Add(new ListGroupsResponse.ListedGroup { GroupId = g.GroupId, ProtocolType = g.ProtocolType, GroupState = g.State, GroupType = "classic" });
        return response;
    }
}
