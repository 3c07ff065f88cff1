using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.ConfigProviders;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Security;
using Microsoft.AspNetCore.Http;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// Apache's BasicAuthSecurityRestExtension (JaasBasicAuthFilter with PropertyFileLoginModule): HTTP basic credentials
/// checked against the <c>KafkaConnect</c> section of a JAAS file, whose modules name <c>user: password</c> properties
/// files. Everything is read at start-up, so a mistake stops the worker instead of refusing every request.
/// </summary>
internal sealed partial class BasicAuthenticator
{
    public const string ExtensionClass = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";
    public const string LoginModuleClass = "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule";
    public const string JaasSection = "KafkaConnect";
    public const string JaasFileProperty = "java.security.auth.login.config";

    /// <summary>Apache's answer to a request that fails authentication (401).</summary>
    public const string FailureMessage = "User cannot access the resource.";

    private readonly IReadOnlyList<Module> _modules;

    private BasicAuthenticator(IReadOnlyList<Module> modules, string source, IReadOnlyList<string> warnings)
    {
        _modules = modules;
        Source = source;
        Warnings = warnings;
    }

    /// <summary>Where the JAAS file came from, for the start-up log.</summary>
    public string Source { get; }

    /// <summary>Start-up warnings (an empty credentials file lets everyone in, as in Apache).</summary>
    public IReadOnlyList<string> Warnings { get; }

    // Users map to the SHA-256 of their password: comparing digests of equal length in constant time leaks neither
    // the password nor its length.
    private sealed record Module(string Flag, string File, IReadOnlyDictionary<string, byte[]> Users);

    /// <summary>
    /// The JAAS file: the worker setting <c>java.security.auth.login.config</c> (ours) or, as for Apache's JVM, a
    /// <c>-Djava.security.auth.login.config=/path</c> in <c>KAFKA_OPTS</c>; the worker setting wins.
    /// </summary>
    public static (string Path, string Source)? LocateJaasFile(string? workerSetting, string? kafkaOpts)
    {
        if (!string.IsNullOrWhiteSpace(workerSetting))
        {
            return (workerSetting.Trim(), $"worker setting {JaasFileProperty}");
        }
        string? found = null;
        const string flag = "-D" + JaasFileProperty + "=";
        foreach (var word in (kafkaOpts ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.StartsWith(flag, StringComparison.Ordinal))
            {
                // The last -D wins, as in Java; "==" (replace the JDK's own login config) names the file the same way.
                found = word[flag.Length..].TrimStart('=').Trim('"', '\'');
            }
        }
        return string.IsNullOrEmpty(found) ? null : (found, $"-D{JaasFileProperty} in KAFKA_OPTS");
    }

    /// <summary>Reads the JAAS file and the credentials files it names.</summary>
    /// <exception cref="ConfigException">A file is missing or malformed, or names a login module that cannot run here.</exception>
    public static BasicAuthenticator Load(string jaasPath, string source)
    {
        var where = $"JAAS file {jaasPath} ({source})";
        string text;
        try
        {
            text = File.ReadAllText(jaasPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{where}: cannot be read: {e.Message}");
        }
        IReadOnlyDictionary<string, IReadOnlyList<JaasLoginModule>> sections;
        try
        {
            sections = JaasConfig.ParseFile(text);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"{where}: {e.Message}");
        }
        if (!sections.TryGetValue(JaasSection, out var entries))
        {
            throw new ConfigException($"{where}: has no '{JaasSection}' section, which {ExtensionClass} reads (sections: {string.Join(", ", sections.Keys)})");
        }
        var modules = new List<Module>();
        var warnings = new List<string>();
        foreach (var entry in entries)
        {
            if (!entry.ClassName.Equals(LoginModuleClass, StringComparison.Ordinal))
            {
                throw new ConfigException($"{where}: login module {entry.ClassName} is a Java class that cannot run here; use {LoginModuleClass}");
            }
            if (!entry.Options.TryGetValue("file", out var file) || string.IsNullOrWhiteSpace(file))
            {
                throw new ConfigException($"{where}: Property Credentials file must be specified (option file=\"/path/credentials.properties\")");
            }
            Dictionary<string, string> credentials;
            try
            {
                credentials = JavaProperties.Parse(File.ReadAllText(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                throw new ConfigException($"{where}: Error loading Property Credentials file {file}: {e.Message}");
            }
            if (credentials.Count == 0)
            {
                warnings.Add($"Credential properties file '{file}' is empty; all requests will be permitted");
            }
            var users = credentials.ToDictionary(kv => kv.Key, kv => Digest(kv.Value), StringComparer.Ordinal);
            modules.Add(new Module(entry.ControlFlag, file, users));
        }
        return new BasicAuthenticator(modules, source, warnings);
    }

    /// <summary>
    /// Whether the request may proceed: it carries valid credentials, or it is one of the internal requests between
    /// workers Apache exempts (task configs and fencing) and is signed with the session key, which the herder verifies.
    /// </summary>
    public bool IsAllowed(HttpRequest request)
    {
        if (IsSignedInternalRequest(request))
        {
            return true;
        }
        var (user, password) = ParseHeader(request.Headers.Authorization.ToString());
        return Login(user, password);
    }

    private static bool IsSignedInternalRequest(HttpRequest request)
    {
        if (!request.Headers.ContainsKey(InternalRequestSignature.SignatureHeader))
        {
            return false;
        }
        var path = request.Path.Value ?? "";
        return (HttpMethods.IsPost(request.Method) && TasksPath().IsMatch(path))
            || (HttpMethods.IsPut(request.Method) && FencePath().IsMatch(path));
    }

    [GeneratedRegex("^/?connectors/[^/]+/tasks/?$")]
    private static partial Regex TasksPath();

    [GeneratedRegex("^/?connectors/[^/]+/fence/?$")]
    private static partial Regex FencePath();

    // JaasBasicAuthFilter's rules: "Basic" in any case, then base64 of user:password split at the first colon; anything
    // else means no user.
    internal static (string? User, string? Password) ParseHeader(string header)
    {
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !header[..space].Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[(space + 1)..]));
        }
        catch (FormatException)
        {
            return (null, null);
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? (null, null) : (decoded[..colon], decoded[(colon + 1)..]);
    }

    // JAAS control flags over the modules: required and requisite must pass (requisite stops at once), a sufficient
    // pass ends the login when nothing required failed before it, and without required modules one pass is needed.
    private bool Login(string? user, string? password)
    {
        var requiredFailed = false;
        var anyRequired = false;
        var anyPassed = false;
        foreach (var module in _modules)
        {
            var passed = Check(module, user, password);
            anyPassed |= passed;
            switch (module.Flag)
            {
                case "required":
                    anyRequired = true;
                    requiredFailed |= !passed;
                    break;
                case "requisite":
                    anyRequired = true;
                    if (!passed)
                    {
                        return false;
                    }
                    break;
                case "sufficient":
                    if (passed && !requiredFailed)
                    {
                        return true;
                    }
                    break;
            }
        }
        return anyRequired ? !requiredFailed : anyPassed;
    }

    private static bool Check(Module module, string? user, string? password)
    {
        if (module.Users.Count == 0)
        {
            return true; // Apache: an empty credentials file permits every request
        }
        if (user is null || password is null)
        {
            return false;
        }
        var known = module.Users.TryGetValue(user, out var expected);
        // An unknown user costs the same comparison as a known one.
        var equal = CryptographicOperations.FixedTimeEquals(Digest(password), expected ?? s_noPassword);
        return known && equal;
    }

    private static readonly byte[] s_noPassword = new byte[SHA256.HashSizeInBytes];

    private static byte[] Digest(string password) => SHA256.HashData(Encoding.UTF8.GetBytes(password));
}
