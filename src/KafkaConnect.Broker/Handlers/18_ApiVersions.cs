// ApiVersions (key 18), v0-4. Lists every API key and version range this broker serves, taken from the
// handler registry. A request with a version above ours is answered in v0 with UNSUPPORTED_VERSION and the
// full list (KIP-511), so newer clients can downgrade.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Broker.Handlers;

internal sealed class ApiVersionsHandler : SyncApiHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    private RequestDispatcher? _dispatcher;

    public override ApiKey Key => ApiKey.ApiVersions;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    public void Attach(RequestDispatcher dispatcher) => _dispatcher = dispatcher;

    protected override ApiVersionsResponse Handle(RequestContext context, ApiVersionsRequest request)
        => Build(_dispatcher ?? throw new InvalidOperationException("ApiVersions handler is not attached."), ErrorCode.None);

    public static ApiVersionsResponse Build(RequestDispatcher dispatcher, ErrorCode error)
    {
        var response = new ApiVersionsResponse { ErrorCode = (short)error };
        foreach (var h in dispatcher.Supported)
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)h.Key, MinVersion = h.MinVersion, MaxVersion = h.MaxVersion });
        return response;
    }
}
