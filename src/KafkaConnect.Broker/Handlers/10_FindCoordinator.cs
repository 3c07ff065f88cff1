// FindCoordinator (key 10), v0-6. This broker coordinates every group. Transaction coordinators are refused
// with a message: transactions are not supported yet. v4+ looks up several keys at once.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class FindCoordinatorHandler : SyncApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const string NoTransactions = "Transactions are not supported by this broker yet.";

    public override ApiKey Key => ApiKey.FindCoordinator;
    public override short MinVersion => 0;
    public override short MaxVersion => 6;

    protected override FindCoordinatorResponse Handle(RequestContext context, FindCoordinatorRequest request)
    {
        var broker = context.Broker;
        var isGroup = request.KeyType == 0;
        var error = isGroup ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;
        var response = new FindCoordinatorResponse();
        if (context.ApiVersion < 4)
        {
            response.ErrorCode = (short)error;
            response.ErrorMessage = isGroup ? null : NoTransactions;
            response.NodeId = isGroup ? broker.NodeId : -1;
            response.Host = isGroup ? context.Listener.AdvertisedHost : "";
            response.Port = isGroup ? context.Listener.AdvertisedPort : -1;
            return response;
        }
        foreach (var key in request.CoordinatorKeys)
        {
            response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
            {
                Key = key,
                ErrorCode = (short)error,
                ErrorMessage = isGroup ? null : NoTransactions,
                NodeId = isGroup ? broker.NodeId : -1,
                Host = isGroup ? context.Listener.AdvertisedHost : "",
                Port = isGroup ? context.Listener.AdvertisedPort : -1,
            });
        }
        return response;
    }
}
