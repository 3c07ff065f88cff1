using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms;

/// <summary>Routes to a topic built from the topic and the record timestamp (UTC), e.g. <c>orders-20240131</c>.</summary>
[ConnectPlugin("org.apache.kafka.connect.transforms.TimestampRouter")]
public sealed class TimestampRouter : TransformationBase
{
    public const string TopicFormatConfig = "topic.format";
    public const string TimestampFormatConfig = "timestamp.format";

    private static readonly ConfigDef s_config = new ConfigDef()
        .Define(TopicFormatConfig, ConfigType.String, "${topic}-${timestamp}", Importance.High,
            "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively.")
        .Define(TimestampFormatConfig, ConfigType.String, "yyyyMMdd", Importance.High,
            "Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.");

    private string _topicFormat = "${topic}-${timestamp}";
    private JavaDateFormat _timestampFormat = new("yyyyMMdd");
    private bool _hasTopic;
    private bool _hasTimestamp;

    // Formatting the same day over and over is the common case: cache the last day's text.
    private volatile Tuple<long, string>? _lastDay;

    public override ConfigDef Config() => s_config;

    public override void Configure(IReadOnlyDictionary<string, string> configs)
    {
        var config = new AbstractConfig(s_config, configs);
        _topicFormat = config.GetString(TopicFormatConfig)!;
        var pattern = config.GetString(TimestampFormatConfig)!;
        _timestampFormat = JavaDateFormat.Create(pattern, reason => new ConfigException(TimestampFormatConfig, pattern, reason));
        _hasTopic = _topicFormat.Contains("${topic}", StringComparison.Ordinal);
        _hasTimestamp = _topicFormat.Contains("${timestamp}", StringComparison.Ordinal);
        _lastDay = null;
    }

    public override TRecord? Apply<TRecord>(TRecord record)
        where TRecord : class
    {
        var timestamp = record.Timestamp ?? throw new DataException("Timestamp missing on record: " + record);
        var topic = _topicFormat;
        if (_hasTopic)
        {
            topic = topic.Replace("${topic}", record.Topic, StringComparison.Ordinal);
        }
        if (_hasTimestamp)
        {
            topic = topic.Replace("${timestamp}", FormatTimestamp(timestamp), StringComparison.Ordinal);
        }
        return record.NewRecord(topic, record.KafkaPartition, record.KeySchema, record.Key, record.ValueSchema, record.Value, record.Timestamp);
    }

    private string FormatTimestamp(long timestamp)
    {
        if (!_timestampFormat.IsDateOnly)
        {
            return _timestampFormat.Format(DateTimeOffset.FromUnixTimeMilliseconds(timestamp));
        }
        var day = Math.DivRem(timestamp, 86_400_000L, out var rem) - (rem < 0 ? 1 : 0);
        var last = _lastDay;
        if (last is not null && last.Item1 == day)
        {
            return last.Item2;
        }
        var text = _timestampFormat.Format(DateTimeOffset.FromUnixTimeMilliseconds(timestamp));
        _lastDay = Tuple.Create(day, text);
        return text;
    }
}
