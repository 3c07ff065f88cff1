using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.ConfigProviders;

/// <summary>
/// The config providers a worker declares, built from its properties as Apache Kafka Connect does:
/// <code>
/// config.providers=file,env
/// config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
/// config.providers.file.param.allowed.paths=/etc/kafka/secrets
/// config.providers.env.class=EnvVarConfigProvider
/// </code>
/// and the transformer that resolves <c>${provider:[path:]key}</c> references in connector configurations with
/// them. The herder stores and shows configurations as written and resolves them only when starting connectors
/// and tasks, so secrets never reach the config topic or the REST API.
/// </summary>
public sealed class WorkerConfigProviders : IDisposable
{
    public const string ConfigProvidersConfig = "config.providers";

    private static readonly Type[] s_builtIns = [typeof(FileConfigProvider), typeof(DirectoryConfigProvider), typeof(EnvVarConfigProvider)];

    private readonly Dictionary<string, IConfigProvider> _providers;
    private readonly ConfigTransformer _transformer;
    private int _disposed;

    /// <summary>Wraps already configured providers (the instance takes ownership and disposes them).</summary>
    public WorkerConfigProviders(IReadOnlyDictionary<string, IConfigProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = new Dictionary<string, IConfigProvider>(providers, StringComparer.Ordinal);
        _transformer = new ConfigTransformer(_providers);
    }

    /// <summary>Providers by name, as listed in <c>config.providers</c>.</summary>
    public IReadOnlyDictionary<string, IConfigProvider> Providers => _providers;

    /// <summary>
    /// Creates and configures every provider listed in <c>config.providers</c>. A listed name without a
    /// <c>.class</c> setting is skipped with a warning (its references stay unresolved, as in Apache Kafka).
    /// Class names resolve by Apache's Java name, our full type name or the simple class name, then through
    /// <paramref name="classResolver"/> (default <see cref="ConfigDef.ClassResolver"/>, which the worker points at
    /// its plugin paths).
    /// </summary>
    /// <exception cref="ConfigException">A class cannot be found or is not a config provider, or a provider
    /// rejected its parameters.</exception>
    public static WorkerConfigProviders Create(
        IReadOnlyDictionary<string, string> workerProps,
        Func<string, Type?>? classResolver = null,
        ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(workerProps);
        log ??= ConfigProviderLogging.LoggerFactory.CreateLogger<WorkerConfigProviders>();
        var providers = new Dictionary<string, IConfigProvider>(StringComparer.Ordinal);
        try
        {
            foreach (var name in ProviderNames(workerProps))
            {
                var prefix = $"{ConfigProvidersConfig}.{name}";
                var classKey = prefix + ".class";
                if (!workerProps.TryGetValue(classKey, out var className) || string.IsNullOrWhiteSpace(className))
                {
                    log.LogWarning("Config provider '{Name}' is listed in {Key} but {ClassKey} is not set; its references stay unresolved",
                        name, ConfigProvidersConfig, classKey);
                    continue;
                }
                var type = ResolveType(className.Trim(), classResolver ?? ConfigDef.ClassResolver)
                    ?? throw new ConfigException(classKey, className,
                        $"Failed to find any class that implements ConfigProvider and which name matches {className}, available ConfigProviders are: {string.Join(", ", AvailableNames())}");
                var provider = Instantiate(type, classKey, className);
                providers[name] = provider; // registered first so a failing Configure is still disposed
                provider.Configure(ParamsOf(workerProps, prefix + ".param."));
                log.LogInformation("Config provider '{Name}' is {Type}", name, type.FullName);
            }
        }
        catch
        {
            foreach (var provider in providers.Values)
            {
                DisposeQuietly(provider, log);
            }
            throw;
        }
        return new WorkerConfigProviders(providers);
    }

    /// <summary>
    /// The worker's own properties with references resolved by the providers they declare, then closed again, as
    /// Apache's <c>AbstractConfig</c> does for every client and worker configuration (so e.g.
    /// <c>producer.sasl.jaas.config=${file:/etc/kafka/jaas.properties:producer}</c> works). Lenient like Apache:
    /// unresolvable references stay as written. Returns the input unchanged when no providers are declared.
    /// </summary>
    /// <exception cref="ConfigException">A provider cannot be created, or a referenced file cannot be read.</exception>
    public static IReadOnlyDictionary<string, string> ResolveWorkerProperties(
        IReadOnlyDictionary<string, string> workerProps,
        Func<string, Type?>? classResolver = null,
        ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(workerProps);
        using var providers = Create(workerProps, classResolver, log);
        return providers._providers.Count == 0 ? workerProps : providers.TransformWithTtls(workerProps, failOnUnresolved: false).Data;
    }

    /// <summary>
    /// True when <paramref name="value"/> contains a <c>${provider:[path:]key}</c> reference (by pattern, whether or
    /// not the provider exists), so the REST layer keeps showing the value as written.
    /// </summary>
    public static bool IsReference(string? value) => value is not null && ConfigTransformer.DefaultPattern.IsMatch(value);

    /// <summary>
    /// The configuration with every reference to a configured provider replaced by its value. References to
    /// providers not configured are left as written (as Apache does). The result holds secrets: never log it.
    /// </summary>
    /// <exception cref="ConfigException">A referenced file or directory cannot be read, or a configured provider
    /// has no value for a referenced key. The message names the configuration key, provider, path and key,
    /// never a resolved value.</exception>
    public IReadOnlyDictionary<string, string> Transform(IReadOnlyDictionary<string, string> config) =>
        TransformWithTtls(config).Data;

    /// <summary>Like <see cref="Transform"/> but also returns the TTLs the worker uses to schedule restarts.</summary>
    /// <param name="failOnUnresolved">False leaves references whose key is missing as written, exactly like
    /// Apache Kafka (which lets the connector see the raw <c>${...}</c>); they are listed in
    /// <see cref="ConfigTransformerResult.Unresolved"/>.</param>
    public ConfigTransformerResult TransformWithTtls(IReadOnlyDictionary<string, string> config, bool failOnUnresolved = true)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var result = _transformer.Transform(config);
        if (failOnUnresolved && result.Unresolved.Count > 0)
        {
            throw new ConfigException(DescribeUnresolved(result.Unresolved));
        }
        return result;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var provider in _providers.Values)
        {
            DisposeQuietly(provider, null);
        }
    }

    internal static string DescribeUnresolved(IReadOnlyList<ConfigReference> unresolved)
    {
        var parts = new List<string>(unresolved.Count);
        foreach (var r in unresolved)
        {
            var where = r.Path.Length == 0 ? string.Empty : $" at path '{r.Path}'";
            parts.Add($"configuration '{r.ConfigName}' references {r.Text}, but config provider '{r.Provider}' has no value for key '{r.Key}'{where}");
        }
        return "Could not resolve config provider references: " + string.Join("; ", parts)
            + " (the key may be missing or the path not allowed by allowed.paths / allowlist.pattern)";
    }

    private static List<string> ProviderNames(IReadOnlyDictionary<string, string> workerProps)
    {
        var names = new List<string>();
        if (workerProps.TryGetValue(ConfigProvidersConfig, out var list) && list is not null)
        {
            foreach (var part in list.Split(','))
            {
                var name = part.Trim();
                if (name.Length > 0 && !names.Contains(name))
                {
                    names.Add(name);
                }
            }
        }
        return names;
    }

    private static Dictionary<string, string> ParamsOf(IReadOnlyDictionary<string, string> workerProps, string prefix)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in workerProps)
        {
            if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                result[key[prefix.Length..]] = value;
            }
        }
        return result;
    }

    internal static Type? ResolveType(string className, Func<string, Type?> classResolver)
    {
        foreach (var type in s_builtIns)
        {
            if (Matches(type, className))
            {
                return type;
            }
        }
        var resolved = classResolver(className);
        if (resolved is not null && typeof(IConfigProvider).IsAssignableFrom(resolved))
        {
            return resolved;
        }
        return null;
    }

    private static bool Matches(Type type, string name)
    {
        if (string.Equals(type.FullName, name, StringComparison.Ordinal) || string.Equals(type.Name, name, StringComparison.Ordinal))
        {
            return true;
        }
        foreach (var attribute in type.GetCustomAttributes<ConnectPluginAttribute>())
        {
            if (string.Equals(attribute.JavaClassName, name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<string> AvailableNames()
    {
        foreach (var type in s_builtIns)
        {
            foreach (var attribute in type.GetCustomAttributes<ConnectPluginAttribute>())
            {
                yield return attribute.JavaClassName;
            }
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Config providers are built in, or come from assemblies the native build keeps whole.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Config providers are built in, or come from assemblies the native build keeps whole.")]
    private static IConfigProvider Instantiate(Type type, string classKey, string className)
    {
        if (type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ConfigException(classKey, className, "a config provider needs a public parameterless constructor");
        }
        try
        {
            return (IConfigProvider)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e)
        {
            throw new ConfigException($"Could not create config provider {className}: {e.InnerException?.Message}", e.InnerException);
        }
    }

    private static void DisposeQuietly(IConfigProvider provider, ILogger? log)
    {
        try
        {
            provider.Dispose();
        }
        catch (Exception e)
        {
            log?.LogWarning(e, "Failed to close config provider {Type}", provider.GetType().FullName);
        }
    }
}
