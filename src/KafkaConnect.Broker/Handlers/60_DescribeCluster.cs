// DescribeCluster (key 60), v0-1: the cluster id and this one broker, which is also the controller.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class DescribeClusterHandler : SyncApiHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    public override ApiKey Key => ApiKey.DescribeCluster;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override DescribeClusterResponse Handle(RequestContext context, DescribeClusterRequest request)
    {
        var broker = context.Broker;
        var response = new DescribeClusterResponse { ClusterId = broker.ClusterId, ControllerId = broker.NodeId, EndpointType = request.EndpointType };
        if (request.EndpointType != 1)
        {
            response.ErrorCode = (short)ErrorCode.MismatchedEndpointType;
            response.ErrorMessage = "This broker serves only broker endpoints.";
            return response;
        }
        response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker
        {
            BrokerId = broker.NodeId,
            Host = context.Listener.AdvertisedHost,
            Port = context.Listener.AdvertisedPort,
        });
        return response;
    }
}
