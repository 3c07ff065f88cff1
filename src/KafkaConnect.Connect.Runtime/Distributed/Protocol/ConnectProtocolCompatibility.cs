using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Runtime.Distributed.Protocol;

/// <summary>The <c>connect.protocol</c> setting: which sub-protocols of the <c>connect</c> group a worker offers.</summary>
public enum ConnectProtocolCompatibility { Eager, Compatible, Sessioned }

public static class ConnectProtocolCompatibilities
{
    public const string ConfigName = "connect.protocol";

    /// <summary>Reads the <c>connect.protocol</c> value ("eager", "compatible" or "sessioned", any case).</summary>
    public static ConnectProtocolCompatibility Parse(string value) => value?.ToLowerInvariant() switch
    {
        "eager" => ConnectProtocolCompatibility.Eager,
        "compatible" => ConnectProtocolCompatibility.Compatible,
        "sessioned" => ConnectProtocolCompatibility.Sessioned,
        _ => throw new ConfigException(ConfigName, value, "String must be one of: eager, compatible, sessioned"),
    };

    /// <summary>The sub-protocol name offered in JoinGroup; eager is called "default" on the wire.</summary>
    public static string ProtocolName(ConnectProtocolCompatibility c) => c switch
    {
        ConnectProtocolCompatibility.Eager => "default",
        ConnectProtocolCompatibility.Compatible => "compatible",
        ConnectProtocolCompatibility.Sessioned => "sessioned",
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, "Unknown Connect protocol compatibility."),
    };

    public static short Version(ConnectProtocolCompatibility c) => c switch
    {
        ConnectProtocolCompatibility.Eager => ConnectProtocol.V0,
        ConnectProtocolCompatibility.Compatible => ConnectProtocol.V1,
        ConnectProtocolCompatibility.Sessioned => ConnectProtocol.V2,
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, "Unknown Connect protocol compatibility."),
    };

    /// <summary>Maps the protocol the coordinator chose in JoinGroup back to the mode (names compare case-insensitively).</summary>
    public static ConnectProtocolCompatibility FromProtocolName(string name)
    {
        foreach (var c in (ReadOnlySpan<ConnectProtocolCompatibility>)
                 [ConnectProtocolCompatibility.Eager, ConnectProtocolCompatibility.Compatible, ConnectProtocolCompatibility.Sessioned])
        {
            if (string.Equals(ProtocolName(c), name, StringComparison.OrdinalIgnoreCase)) return c;
        }
        throw new ArgumentException($"No Connect protocol compatibility mode for protocol '{name}'.", nameof(name));
    }
}
