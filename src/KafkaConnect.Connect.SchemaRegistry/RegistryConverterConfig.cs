using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Security;

namespace KafkaConnect.Connect.SchemaRegistry;

/// <summary>Where the registry's basic-auth credentials come from (Confluent's <c>basic.auth.credentials.source</c>).</summary>
public enum BasicAuthSource
{
    /// <summary>The user info of each <c>schema.registry.url</c> (<c>http://user:pass@host:8081</c>).</summary>
    Url,

    /// <summary><c>basic.auth.user.info</c> (or <c>schema.registry.basic.auth.user.info</c>) as <c>user:password</c>.</summary>
    UserInfo,
}

/// <summary>
/// The settings every registry-backed converter shares, with Confluent's keys and defaults
/// (AbstractKafkaSchemaSerDeConfig and the registry client's): where the registry is, how to authenticate, and how
/// a schema is found for a record (register it, use the latest version, or look it up).
/// </summary>
public class RegistryConverterConfig : AbstractConfig
{
    public const string UrlConfig = "schema.registry.url";
    public const string BasicAuthSourceConfig = "basic.auth.credentials.source";
    public const string UserInfoConfig = "basic.auth.user.info";
    public const string UserInfoAliasConfig = "schema.registry.basic.auth.user.info";
    public const string AutoRegisterConfig = "auto.register.schemas";
    public const string UseLatestVersionConfig = "use.latest.version";
    public const string LatestCompatibilityStrictConfig = "latest.compatibility.strict";
    public const string NormalizeSchemasConfig = "normalize.schemas";
    public const string KeySubjectNameStrategyConfig = "key.subject.name.strategy";
    public const string ValueSubjectNameStrategyConfig = "value.subject.name.strategy";
    public const string LatestCacheTtlConfig = "latest.cache.ttl.sec";
    public const string MaxSchemasPerSubjectConfig = "max.schemas.per.subject";
    public const string ConnectTimeoutConfig = "http.connect.timeout.ms";
    public const string ReadTimeoutConfig = "http.read.timeout.ms";
    public const string MaxRetriesConfig = "max.retries";
    public const string RetriesWaitConfig = "retries.wait.ms";
    public const string RetriesMaxWaitConfig = "retries.max.wait.ms";

    /// <summary>The registry client's TLS keys are the Kafka client's <c>ssl.*</c> keys with this prefix.</summary>
    public const string SslPrefix = "schema.registry.";

    private const string Group = "Schema Registry";

    /// <summary>Adds the shared keys to a converter's own definition; its spec then drives parsing, validation and docs.</summary>
    public static ConfigDef AddTo(ConfigDef def)
    {
        ArgumentNullException.ThrowIfNull(def);
        var order = 0;
        def.Define(UrlConfig, ConfigType.List, ConfigDef.NoDefaultValue, NonEmptyUrls, Importance.High,
                "Comma-separated list of URLs of Schema Registry instances; requests go to the first that answers.",
                Group, order++, Width.Long, "Schema Registry URL")
            .Define(BasicAuthSourceConfig, ConfigType.String, "URL", ConfigDef.ValidString.InIgnoringCase("URL", "USER_INFO"), Importance.Medium,
                "Where the basic-auth credentials for the registry come from: URL (the user info in schema.registry.url) or USER_INFO (basic.auth.user.info). SASL_INHERIT is not supported.",
                Group, order++, Width.Short, "Basic auth credentials source")
            .Define(UserInfoConfig, ConfigType.Password, string.Empty, null, Importance.Medium,
                "Credentials for the registry as user:password, used when basic.auth.credentials.source=USER_INFO.",
                Group, order++, Width.Medium, "Basic auth user info")
            .Define(UserInfoAliasConfig, ConfigType.Password, string.Empty, null, Importance.Medium,
                "Alias of basic.auth.user.info.", Group, order++, Width.Medium, "Basic auth user info (alias)")
            .Define(AutoRegisterConfig, ConfigType.Boolean, true, null, Importance.Medium,
                "Register the schema of each record written, if it is not registered yet.", Group, order++, Width.Short, "Auto-register schemas")
            .Define(UseLatestVersionConfig, ConfigType.Boolean, false, null, Importance.Low,
                "With auto.register.schemas=false, write with the subject's latest registered schema instead of looking the record's schema up.",
                Group, order++, Width.Short, "Use latest version")
            .Define(LatestCompatibilityStrictConfig, ConfigType.Boolean, true, null, Importance.Low,
                "With use.latest.version, check that the latest schema is backward compatible with the record's schema.",
                Group, order++, Width.Short, "Latest compatibility strict")
            .Define(NormalizeSchemasConfig, ConfigType.Boolean, false, null, Importance.Low,
                "Ask the registry to normalize schemas when registering or looking them up.", Group, order++, Width.Short, "Normalize schemas")
            .Define(KeySubjectNameStrategyConfig, ConfigType.String, SubjectNameStrategies.TopicNameStrategyClass, StrategyValidator, Importance.Medium,
                "How the subject of key schemas is named: TopicNameStrategy ({topic}-key), RecordNameStrategy or TopicRecordNameStrategy (Confluent's class names).",
                Group, order++, Width.Long, "Key subject name strategy")
            .Define(ValueSubjectNameStrategyConfig, ConfigType.String, SubjectNameStrategies.TopicNameStrategyClass, StrategyValidator, Importance.Medium,
                "How the subject of value schemas is named: TopicNameStrategy ({topic}-value), RecordNameStrategy or TopicRecordNameStrategy.",
                Group, order++, Width.Long, "Value subject name strategy")
            .Define(LatestCacheTtlConfig, ConfigType.Long, -1L, null, Importance.Low,
                "Seconds the latest version of a subject is cached; -1 caches it until restart.", Group, order++, Width.Short, "Latest cache TTL")
            .Define(MaxSchemasPerSubjectConfig, ConfigType.Int, 1000, ConfigDef.Range.AtLeast(1), Importance.Low,
                "How many schemas per subject this converter caches at most; more is an error (a schema built anew for every record).",
                Group, order++, Width.Short, "Max schemas per subject")
            .Define(ConnectTimeoutConfig, ConfigType.Int, 60000, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Milliseconds to wait for a connection to the registry.", Group, order++, Width.Short, "HTTP connect timeout")
            .Define(ReadTimeoutConfig, ConfigType.Int, 60000, ConfigDef.Range.AtLeast(1), Importance.Low,
                "Milliseconds to wait for the registry's answer.", Group, order++, Width.Short, "HTTP read timeout")
            .Define(MaxRetriesConfig, ConfigType.Int, 3, ConfigDef.Range.AtLeast(0), Importance.Low,
                "How many times a request is retried when no registry URL answers (or answers with a 5xx status).",
                Group, order++, Width.Short, "Max retries")
            .Define(RetriesWaitConfig, ConfigType.Int, 1000, ConfigDef.Range.AtLeast(0), Importance.Low,
                "Milliseconds before the first retry; each further retry waits twice as long.", Group, order++, Width.Short, "Retry wait")
            .Define(RetriesMaxWaitConfig, ConfigType.Int, 20000, ConfigDef.Range.AtLeast(0), Importance.Low,
                "The longest wait between retries, in milliseconds.", Group, order++, Width.Short, "Retry max wait");
        foreach (var setting in TlsSettings.Settings)
        {
            def.Define(SslPrefix + setting.Name, setting.IsPassword ? ConfigType.Password : setting.IsList ? ConfigType.List : ConfigType.String,
                setting.Default, null, Importance.Low, "For https registry URLs: " + setting.Documentation, Group, order++, Width.Medium);
        }
        return def;
    }

    private static IReadOnlyDictionary<string, string> WithFallbackUrl(IReadOnlyDictionary<string, string> props)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (FallbackUrl is not { } fallback || props.TryGetValue(UrlConfig, out var url) && !string.IsNullOrWhiteSpace(url))
        {
            return props;
        }
        return new Dictionary<string, string>(props, StringComparer.Ordinal) { [UrlConfig] = fallback() };
    }

    private static readonly IValidator NonEmptyUrls = ConfigDef.LambdaValidator.With((name, value) =>
    {
        if (value is not IReadOnlyList<string> urls || urls.Count == 0)
        {
            throw new ConfigException(name, value, "Missing Schema Registry URL: give at least one, e.g. http://127.0.0.1:8081");
        }
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ConfigException(name, value, $"'{url}' is not an http:// or https:// URL");
            }
        }
    }, "non-empty list of http(s) URLs");

    private static readonly IValidator StrategyValidator = ConfigDef.LambdaValidator.With((name, value) =>
    {
        if (!SubjectNameStrategies.TryParse(value as string, out _))
        {
            throw new ConfigException(name, value,
                $"Unknown subject name strategy; use {SubjectNameStrategies.TopicNameStrategyClass}, {SubjectNameStrategies.RecordNameStrategyClass} or {SubjectNameStrategies.TopicRecordNameStrategyClass}");
        }
    }, "TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy");

    /// <summary>
    /// Where a converter without schema.registry.url finds a registry: set by a standalone worker on its embedded broker,
    /// which starts one on first use (a connector created over REST after start-up). Null elsewhere: the key is required.
    /// </summary>
    public static Func<string>? FallbackUrl { get; set; }

    /// <exception cref="ConfigException">A setting is missing or invalid.</exception>
    public RegistryConverterConfig(ConfigDef definition, IReadOnlyDictionary<string, string> props)
        : base(definition, WithFallbackUrl(props))
    {
        Urls = GetList(UrlConfig)!.Select(u => new Uri(u.Trim())).ToArray();
        AuthSource = GetString(BasicAuthSourceConfig)!.Equals("USER_INFO", StringComparison.OrdinalIgnoreCase)
            ? BasicAuthSource.UserInfo
            : BasicAuthSource.Url;
        var userInfo = GetPassword(UserInfoConfig)?.Value;
        UserInfo = string.IsNullOrEmpty(userInfo) ? GetPassword(UserInfoAliasConfig)?.Value : userInfo;
        if (AuthSource == BasicAuthSource.UserInfo && (string.IsNullOrEmpty(UserInfo) || !UserInfo.Contains(':', StringComparison.Ordinal)))
        {
            throw new ConfigException(UserInfoConfig, "[hidden]",
                "basic.auth.credentials.source=USER_INFO needs basic.auth.user.info as user:password");
        }
        AutoRegisterSchemas = GetBoolean(AutoRegisterConfig);
        UseLatestVersion = GetBoolean(UseLatestVersionConfig);
        LatestCompatibilityStrict = GetBoolean(LatestCompatibilityStrictConfig);
        NormalizeSchemas = GetBoolean(NormalizeSchemasConfig);
        SubjectNameStrategies.TryParse(GetString(KeySubjectNameStrategyConfig), out var keyStrategy);
        SubjectNameStrategies.TryParse(GetString(ValueSubjectNameStrategyConfig), out var valueStrategy);
        KeySubjectNameStrategy = keyStrategy;
        ValueSubjectNameStrategy = valueStrategy;
        var ttl = GetLong(LatestCacheTtlConfig);
        LatestCacheTtl = ttl < 0 ? null : TimeSpan.FromSeconds(ttl);
        MaxSchemasPerSubject = GetInt(MaxSchemasPerSubjectConfig);
        ConnectTimeout = TimeSpan.FromMilliseconds(GetInt(ConnectTimeoutConfig));
        ReadTimeout = TimeSpan.FromMilliseconds(GetInt(ReadTimeoutConfig));
        MaxRetries = GetInt(MaxRetriesConfig);
        RetryWait = TimeSpan.FromMilliseconds(GetInt(RetriesWaitConfig));
        RetryMaxWait = TimeSpan.FromMilliseconds(GetInt(RetriesMaxWaitConfig));
        if (Urls.Any(u => u.Scheme == Uri.UriSchemeHttps))
        {
            Tls = LoadTls();
        }
    }

    public IReadOnlyList<Uri> Urls { get; }

    public BasicAuthSource AuthSource { get; }

    public string? UserInfo { get; }

    public bool AutoRegisterSchemas { get; }

    public bool UseLatestVersion { get; }

    public bool LatestCompatibilityStrict { get; }

    public bool NormalizeSchemas { get; }

    public SubjectNameStrategy KeySubjectNameStrategy { get; }

    public SubjectNameStrategy ValueSubjectNameStrategy { get; }

    /// <summary>How long a subject's latest version is cached; null until restart.</summary>
    public TimeSpan? LatestCacheTtl { get; }

    public int MaxSchemasPerSubject { get; }

    public TimeSpan ConnectTimeout { get; }

    public TimeSpan ReadTimeout { get; }

    public int MaxRetries { get; }

    public TimeSpan RetryWait { get; }

    public TimeSpan RetryMaxWait { get; }

    /// <summary>TLS material for https URLs (trust store, client certificate), loaded once.</summary>
    public TlsSettings? Tls { get; }

    /// <summary>The subject strategy for keys or values.</summary>
    public SubjectNameStrategy SubjectNameStrategyFor(bool isKey) => isKey ? KeySubjectNameStrategy : ValueSubjectNameStrategy;

    /// <summary>A client over these settings; the caller disposes it with the converter.</summary>
    public ISchemaRegistryClient CreateClient(TimeProvider? time = null) => new CachedSchemaRegistryClient(this, time ?? TimeProvider.System);

    private TlsSettings LoadTls()
    {
        try
        {
            return TlsSettings.Load(key =>
            {
                var value = Get(SslPrefix + key);
                return value switch
                {
                    null => null,
                    Password p => p.Value,
                    IReadOnlyList<string> list => string.Join(',', list),
                    _ => value.ToString(),
                };
            }, server: false, key => SslPrefix + key);
        }
        catch (SecurityConfigException e)
        {
            throw new ConfigException(e.Key, null, e.Message);
        }
    }
}
