using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using KafkaConnect.Connect.Connectors;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Plugins;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Sinks;
using KafkaConnect.Connect.Sources;
using KafkaConnect.Connect.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaConnect.Connect.Runtime.Plugins;

/// <summary>A discovered plugin: its type, kind, the name the REST API shows, and every name it resolves by.</summary>
public sealed record PluginDescriptor(Type Type, PluginType Kind, string ClassName, string Version, IReadOnlyList<string> Aliases);

/// <summary>
/// Finds plugins (connectors, converters, header converters, transformations, predicates) and resolves the names
/// configurations use: Apache's Java class names (declared with <see cref="ConnectPluginAttribute"/> or known for
/// the built-in plugins), the C# full type name, the simple class name and, for connectors and converters, the
/// simple name without its "Connector"/"Converter" suffix (Apache's alias rule). An alias two plugins share is
/// dropped, as in Apache. Plugins from <c>plugin.path</c> load into one collectible AssemblyLoadContext per
/// directory that shares only the KafkaConnect.Connect.Api assembly with the host.
/// </summary>
public sealed class PluginRegistry
{
    /// <summary>
    /// Why reflection over plugin types is safe in the native (ahead-of-time compiled) build: every assembly that holds
    /// plugins is a trimmer root there (KafkaConnect.Cli.csproj), so their types keep all constructors, methods and
    /// interfaces; plugin.path assemblies load only in the JIT build.
    /// </summary>
    internal const string RootedPlugins = "Plugin assemblies are trimmer roots in the native build; plugin.path loads only under the JIT.";
    /// <summary>Assemblies shipped with kconnect that hold plugins; loaded by name when present next to the host.</summary>
    public static readonly IReadOnlyList<string> BuiltInAssemblies =
    [
        "KafkaConnect.Connect.Api", "KafkaConnect.Connect.Json", "KafkaConnect.Connect.Converters", "KafkaConnect.Connect.File",
        "KafkaConnect.Connect.Transforms", "KafkaConnect.Connect.Jdbc", "KafkaConnect.Connect.Avro", "KafkaConnect.Connect.JsonSchema",
        "KafkaConnect.Connect.Protobuf", "KafkaConnect.Connect.SpoolDir", "KafkaConnect.Connect.Debezium",
    ];

    // Java packages of Apache's bundled plugins, by simple class name.
    private static readonly Dictionary<string, string> s_javaPackages = new(StringComparer.Ordinal)
    {
        ["FileStreamSourceConnector"] = "org.apache.kafka.connect.file",
        ["FileStreamSinkConnector"] = "org.apache.kafka.connect.file",
        ["JsonConverter"] = "org.apache.kafka.connect.json",
        ["StringConverter"] = "org.apache.kafka.connect.storage",
        ["SimpleHeaderConverter"] = "org.apache.kafka.connect.storage",
        ["ByteArrayConverter"] = "org.apache.kafka.connect.converters",
        ["BooleanConverter"] = "org.apache.kafka.connect.converters",
        ["ShortConverter"] = "org.apache.kafka.connect.converters",
        ["IntegerConverter"] = "org.apache.kafka.connect.converters",
        ["LongConverter"] = "org.apache.kafka.connect.converters",
        ["FloatConverter"] = "org.apache.kafka.connect.converters",
        ["DoubleConverter"] = "org.apache.kafka.connect.converters",
        ["Cast"] = "org.apache.kafka.connect.transforms",
        ["DropHeaders"] = "org.apache.kafka.connect.transforms",
        ["ExtractField"] = "org.apache.kafka.connect.transforms",
        ["Filter"] = "org.apache.kafka.connect.transforms",
        ["Flatten"] = "org.apache.kafka.connect.transforms",
        ["HeaderFrom"] = "org.apache.kafka.connect.transforms",
        ["HoistField"] = "org.apache.kafka.connect.transforms",
        ["InsertField"] = "org.apache.kafka.connect.transforms",
        ["InsertHeader"] = "org.apache.kafka.connect.transforms",
        ["MaskField"] = "org.apache.kafka.connect.transforms",
        ["RegexRouter"] = "org.apache.kafka.connect.transforms",
        ["ReplaceField"] = "org.apache.kafka.connect.transforms",
        ["SetSchemaMetadata"] = "org.apache.kafka.connect.transforms",
        ["TimestampConverter"] = "org.apache.kafka.connect.transforms",
        ["TimestampRouter"] = "org.apache.kafka.connect.transforms",
        ["ValueToKey"] = "org.apache.kafka.connect.transforms",
        ["HasHeaderKey"] = "org.apache.kafka.connect.transforms.predicates",
        ["RecordIsTombstone"] = "org.apache.kafka.connect.transforms.predicates",
        ["TopicNameMatches"] = "org.apache.kafka.connect.transforms.predicates",
    };

    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ambiguous = new(StringComparer.Ordinal);
    private readonly List<PluginDescriptor> _plugins = [];
    private readonly HashSet<Assembly> _scanned = [];
    private readonly List<PluginLoadContext> _contexts = [];

    public PluginRegistry(ILogger? log = null)
    {
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>A registry with the built-in plugins, the runtime's own, and the given plugin.path entries.</summary>
    public static PluginRegistry Create(IEnumerable<string>? pluginPath = null, ILogger? log = null, IEnumerable<Assembly>? extra = null)
    {
        var registry = new PluginRegistry(log);
        foreach (var name in BuiltInAssemblies)
        {
            registry.TryAddAssembly(name);
        }
        registry.AddAssembly(typeof(PluginRegistry).Assembly);
        foreach (var assembly in extra ?? [])
        {
            registry.AddAssembly(assembly);
        }
        foreach (var path in pluginPath ?? [])
        {
            registry.AddPluginPath(path);
        }
        return registry;
    }

    public IReadOnlyList<PluginDescriptor> Plugins
    {
        get
        {
            lock (_lock)
            {
                return [.. _plugins];
            }
        }
    }

    /// <summary>Loads an assembly by name from the host's probing paths; false when it is not deployed.</summary>
    public bool TryAddAssembly(string assemblyName)
    {
        try
        {
            AddAssembly(Assembly.Load(new AssemblyName(assemblyName)));
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>Registers every public plugin type of the assembly.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = RootedPlugins)]
    public void AddAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        Type[] types;
        lock (_lock)
        {
            if (!_scanned.Add(assembly))
            {
                return;
            }
        }
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            _log.LogWarning(ex, "Could not scan {Assembly} for plugins", assembly.FullName);
            return;
        }
        foreach (var type in types)
        {
            Add(type);
        }
    }

    /// <summary>
    /// Loads plugins from one plugin.path entry: assemblies directly in it form one plugin, and each subdirectory
    /// with assemblies forms another, each in its own load context.
    /// </summary>
    public void AddPluginPath(string path)
    {
        if (!Directory.Exists(path))
        {
            _log.LogWarning("plugin.path entry {Path} does not exist; skipped", path);
            return;
        }
        LoadDirectory(path);
        foreach (var dir in Directory.EnumerateDirectories(path))
        {
            LoadDirectory(dir);
        }
    }

    /// <summary>Registers one type if it is a concrete plugin with a public parameterless constructor.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = RootedPlugins)]
    public void Add(Type type)
    {
        if (!type.IsClass || type.IsAbstract || type.ContainsGenericParameters || type.GetConstructor(Type.EmptyTypes) is null)
        {
            return;
        }
        foreach (var kind in KindsOf(type))
        {
            var names = NamesOf(type, kind, out var className);
            lock (_lock)
            {
                if (_plugins.Exists(p => p.Type == type && p.Kind == kind))
                {
                    continue;
                }
                foreach (var name in names)
                {
                    if (_ambiguous.Contains(name))
                    {
                        continue;
                    }
                    if (_byName.TryGetValue(name, out var existing) && existing != type)
                    {
                        _ambiguous.Add(name);
                        _byName.Remove(name);
                        _log.LogDebug("Plugin name {Name} is ambiguous ({A}, {B}); use a full class name", name, existing.FullName, type.FullName);
                        continue;
                    }
                    _byName[name] = type;
                }
                _plugins.Add(new PluginDescriptor(type, kind, className, VersionOf(type), names));
            }
        }
    }

    /// <summary>Looks a plugin type up by any of its names.</summary>
    public bool TryResolve(string name, out Type type)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_lock)
        {
            if (_byName.TryGetValue(name.Trim(), out type!))
            {
                return true;
            }
        }
        type = null!;
        return false;
    }

    /// <summary>Resolves a plugin name to a type assignable to <typeparamref name="T"/>.</summary>
    /// <exception cref="ConfigException">Unknown name or a plugin of another kind; the message names <paramref name="configKey"/>.</exception>
    public Type Resolve<T>(string configKey, string name)
    {
        if (!TryResolve(name, out var type))
        {
            throw new ConfigException(configKey, name, $"Class {name} could not be found.");
        }
        if (!typeof(T).IsAssignableFrom(type))
        {
            throw new ConfigException(configKey, name, $"{name} is not a {typeof(T).Name}");
        }
        return type;
    }

    /// <summary>Creates an instance of the named plugin.</summary>
    public T NewInstance<T>(string configKey, string name) where T : class => Instantiate<T>(Resolve<T>(configKey, name));

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = RootedPlugins)]
    public static T Instantiate<T>(Type type) where T : class
    {
        try
        {
            return (T)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex)
        {
            throw new ConnectException($"Failed to create an instance of {type.FullName}: {ex.InnerException?.Message}", ex.InnerException);
        }
    }

    /// <summary>The name configurations should use for the type (its Java name when it has one).</summary>
    public string ClassNameOf(Type type)
    {
        lock (_lock)
        {
            var d = _plugins.Find(p => p.Type == type);
            return d?.ClassName ?? type.FullName ?? type.Name;
        }
    }

    /// <summary>A connector's kind, or Unknown.</summary>
    public static ConnectorType ConnectorTypeOf(Type? type) =>
        type is null ? ConnectorType.Unknown
        : typeof(SourceConnector).IsAssignableFrom(type) ? ConnectorType.Source
        : typeof(SinkConnector).IsAssignableFrom(type) ? ConnectorType.Sink
        : ConnectorType.Unknown;

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Runs only where dynamic code is supported (the JIT build).")]
    private void LoadDirectory(string dir)
    {
        var dlls = Directory.GetFiles(dir, "*.dll");
        if (dlls.Length == 0)
        {
            return;
        }
        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            // The native executable has no JIT: it cannot run IL from a plugin assembly.
            _log.LogError("plugin.path entry {Path} holds .NET plugin assemblies, which the native kconnect executable cannot load; " +
                "its plugins are skipped. Run the framework-dependent build (dotnet kconnect.dll) to use them.", dir);
            return;
        }
        var context = new PluginLoadContext(dir);
        lock (_lock)
        {
            _contexts.Add(context);
        }
        foreach (var dll in dlls)
        {
            try
            {
                var name = AssemblyName.GetAssemblyName(dll);
                if (name.Name == typeof(Connector).Assembly.GetName().Name)
                {
                    continue; // a plugin's own copy of the API: the host's must be used
                }
                AddAssembly(context.LoadFromAssemblyPath(Path.GetFullPath(dll)));
            }
            catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException)
            {
                _log.LogWarning("Skipping {File} in plugin path: {Message}", dll, ex.Message);
            }
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = RootedPlugins)]
    private static IEnumerable<PluginType> KindsOf(Type type)
    {
        if (typeof(SourceConnector).IsAssignableFrom(type))
        {
            yield return PluginType.Source;
        }
        if (typeof(SinkConnector).IsAssignableFrom(type))
        {
            yield return PluginType.Sink;
        }
        if (typeof(IConverter).IsAssignableFrom(type))
        {
            yield return PluginType.Converter;
        }
        if (typeof(IHeaderConverter).IsAssignableFrom(type))
        {
            yield return PluginType.HeaderConverter;
        }
        foreach (var i in type.GetInterfaces())
        {
            if (!i.IsGenericType)
            {
                continue;
            }
            var def = i.GetGenericTypeDefinition();
            if (def == typeof(Transforms.ITransformation<>))
            {
                yield return PluginType.Transformation;
                break;
            }
        }
        foreach (var i in type.GetInterfaces())
        {
            if (i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Transforms.IPredicate<>))
            {
                yield return PluginType.Predicate;
                break;
            }
        }
    }

    private static List<string> NamesOf(Type type, PluginType kind, out string className)
    {
        var names = new List<string>();
        string? java = null;
        foreach (var attr in type.GetCustomAttributes<ConnectPluginAttribute>(inherit: false))
        {
            java ??= attr.JavaClassName;
            names.Add(attr.JavaClassName);
        }
        // Nested types (InsertField.Value) are named Outer$Inner in Java.
        var simple = type.DeclaringType is { } outer ? outer.Name + "$" + type.Name : type.Name;
        var outerSimple = type.DeclaringType?.Name ?? type.Name;
        var ours = type.Assembly.GetName().Name?.StartsWith("KafkaConnect.", StringComparison.Ordinal) == true;
        if (java is null && ours && s_javaPackages.TryGetValue(outerSimple, out var package))
        {
            java = package + "." + simple;
            names.Add(java);
        }
        if (type.FullName is { } full)
        {
            names.Add(full);
            if (type.DeclaringType is not null)
            {
                names.Add(full.Replace('+', '.'));
            }
        }
        names.Add(simple);
        var suffix = kind switch
        {
            PluginType.Source or PluginType.Sink => "Connector",
            PluginType.Converter or PluginType.HeaderConverter => "Converter",
            _ => null,
        };
        if (suffix is not null && simple.EndsWith(suffix, StringComparison.Ordinal) && simple.Length > suffix.Length)
        {
            names.Add(simple[..^suffix.Length]);
        }
        className = java ?? type.FullName ?? type.Name;
        return names.Distinct(StringComparer.Ordinal).ToList();
    }

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = RootedPlugins)]
    private static string VersionOf(Type type)
    {
        if (!typeof(IVersioned).IsAssignableFrom(type))
        {
            return "undefined";
        }
        try
        {
            return ((IVersioned)Activator.CreateInstance(type)!).Version();
        }
        catch (Exception)
        {
            return "undefined";
        }
    }

    /// <summary>One plugin directory's load context: its own assemblies, the host's Connect API and framework.</summary>
    private sealed class PluginLoadContext : AssemblyLoadContext
    {
        private readonly AssemblyDependencyResolver? _resolver;
        private readonly string _dir;

        public PluginLoadContext(string dir)
            : base("kconnect-plugin:" + dir, isCollectible: true)
        {
            _dir = dir;
            var deps = Directory.GetFiles(dir, "*.deps.json");
            if (deps.Length > 0)
            {
                try
                {
                    _resolver = new AssemblyDependencyResolver(Path.ChangeExtension(deps[0], null).Replace(".deps", "", StringComparison.Ordinal) + ".dll");
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                {
                    _resolver = null;
                }
            }
        }

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Plugin load contexts exist only in the JIT build.")]
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name == typeof(Connector).Assembly.GetName().Name)
            {
                return null; // shared with the host so plugin types implement the host's interfaces
            }
            var local = Path.Combine(_dir, assemblyName.Name + ".dll");
            if (File.Exists(local))
            {
                return LoadFromAssemblyPath(Path.GetFullPath(local));
            }
            return _resolver?.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
        }
    }
}
