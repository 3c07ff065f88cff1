// DescribeConfigs (key 32), v0-4. Topic resources (type 2) list every topic setting with its effective value
// and source (topic override or default); the broker resource (type 4) lists the broker's settings.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Storage;

namespace KafkaConnect.Broker.Handlers;

internal sealed class DescribeConfigsHandler : SyncApiHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    public const sbyte TopicResource = 2;
    public const sbyte BrokerResource = 4;

    public override ApiKey Key => ApiKey.DescribeConfigs;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override DescribeConfigsResponse Handle(RequestContext context, DescribeConfigsRequest request)
    {
        var broker = context.Broker;
        var response = new DescribeConfigsResponse();
        foreach (var r in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = r.ResourceType, ResourceName = r.ResourceName };
            response.Results.Add(result);
            var keys = r.ConfigurationKeys is { Count: > 0 } k ? new HashSet<string>(k, StringComparer.Ordinal) : null;
            if (r.ResourceType == TopicResource)
            {
                var topic = broker.Topics.Get(r.ResourceName);
                if (topic is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    result.ErrorMessage = $"Topic '{r.ResourceName}' does not exist.";
                    continue;
                }
                var values = topic.LogConfig.ToProperties();
                foreach (var key in LogConfig.Keys)
                {
                    if (keys is not null && !keys.Contains(key.Name)) continue;
                    var overridden = topic.Configs.ContainsKey(key.Name);
                    result.Configs.Add(new DescribeConfigsResponse.DescribeConfigsResourceResult
                    {
                        Name = key.Name,
                        Value = values.TryGetValue(key.Name, out var v) ? v : key.DefaultValue,
                        IsDefaultValue = !overridden,
                        ConfigSource = (sbyte)(overridden ? 1 : 5),
                        ConfigType = TypeCode(key.Type),
                        Documentation = request.IncludeDocumentation ? key.Documentation : null,
                    });
                }
            }
            else if (r.ResourceType == BrokerResource)
            {
                if (r.ResourceName.Length > 0 && r.ResourceName != broker.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequest;
                    result.ErrorMessage = $"Unknown broker '{r.ResourceName}'; this broker is {broker.NodeId}.";
                    continue;
                }
                foreach (var (name, value, isDefault, isSensitive) in broker.Config.Describe())
                {
                    if (keys is not null && !keys.Contains(name)) continue;
                    result.Configs.Add(new DescribeConfigsResponse.DescribeConfigsResourceResult
                    {
                        Name = name,
                        Value = value,
                        ReadOnly = true,
                        IsSensitive = isSensitive,
                        IsDefaultValue = isDefault,
                        ConfigSource = (sbyte)(isDefault ? 5 : 4),
                        ConfigType = 2,
                    });
                }
            }
            else
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Resource type {r.ResourceType} is not supported; use 2 (topic) or 4 (broker).";
            }
        }
        return response;
    }

    private static sbyte TypeCode(string type) => type switch
    {
        "BOOLEAN" => 1,
        "STRING" => 2,
        "INT" => 3,
        "SHORT" => 4,
        "LONG" => 5,
        "DOUBLE" => 6,
        "LIST" => 7,
        "CLASS" => 8,
        "PASSWORD" => 9,
        _ => 0,
    };
}
