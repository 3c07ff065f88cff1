namespace KafkaConnect.Connect.Configuration;

/// <summary>
/// Supplies configuration values from outside the connector configuration (files, directories, environment
/// variables, a vault), so secrets can be written as <c>${provider:[path:]key}</c> references instead of in
/// clear text. Counterpart of Apache Kafka's <c>org.apache.kafka.common.config.provider.ConfigProvider</c>.
/// The worker creates one instance per name listed in <c>config.providers</c>, calls <see cref="Configure"/>
/// once with the <c>config.providers.{name}.param.*</c> settings (prefix stripped), and disposes it on shutdown.
/// Implementations must be thread-safe and must never log or put resolved values into exception messages.
/// </summary>
public interface IConfigProvider : IDisposable
{
    /// <summary>Receives the provider's own settings before any other call.</summary>
    /// <exception cref="Errors.ConfigException">A setting is invalid.</exception>
    void Configure(IReadOnlyDictionary<string, string> configs);

    /// <summary>All data at <paramref name="path"/> (its meaning is up to the provider; may be empty).</summary>
    ConfigData Get(string path);

    /// <summary>
    /// The data for <paramref name="keys"/> at <paramref name="path"/>. Keys the provider does not have are
    /// simply absent from the result.
    /// </summary>
    ConfigData Get(string path, IReadOnlySet<string> keys);

    /// <summary>Asks to be told when the values of <paramref name="keys"/> at <paramref name="path"/> change.</summary>
    /// <exception cref="NotSupportedException">The provider cannot watch for changes (the default).</exception>
    void Subscribe(string path, IReadOnlySet<string> keys, IConfigChangeCallback callback) =>
        throw new NotSupportedException();

    /// <exception cref="NotSupportedException">The provider cannot watch for changes (the default).</exception>
    void Unsubscribe(string path, IReadOnlySet<string> keys, IConfigChangeCallback callback) =>
        throw new NotSupportedException();

    /// <exception cref="NotSupportedException">The provider cannot watch for changes (the default).</exception>
    void UnsubscribeAll() => throw new NotSupportedException();

    /// <summary>The settings <see cref="Configure"/> accepts, for documentation; none by default.</summary>
    ConfigDef Config() => new();
}

/// <summary>Told by a provider that supports subscriptions when the data at a path changed.</summary>
public interface IConfigChangeCallback
{
    void OnChange(string path, ConfigData data);
}

/// <summary>
/// Values returned by an <see cref="IConfigProvider"/>, plus an optional time-to-live after which the worker
/// should resolve them again (Apache restarts the connector when a TTL expires).
/// </summary>
public sealed class ConfigData
{
    private static readonly IReadOnlyDictionary<string, string> s_empty = new Dictionary<string, string>(StringComparer.Ordinal);

    public ConfigData(IReadOnlyDictionary<string, string> data, long? ttl = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        Ttl = ttl;
    }

    /// <summary>No data and no TTL.</summary>
    public static ConfigData Empty { get; } = new(s_empty);

    /// <summary>The values by key. Treat them as secrets: never log them.</summary>
    public IReadOnlyDictionary<string, string> Data { get; }

    /// <summary>Milliseconds the data stays valid, or null when it does not expire.</summary>
    public long? Ttl { get; }

    // Deliberately lists keys only: the values are usually secrets.
    public override string ToString() =>
        $"ConfigData(keys=[{string.Join(", ", Data.Keys)}], ttl={(Ttl is { } ttl ? ttl.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")})";
}
