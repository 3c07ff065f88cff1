namespace KafkaConnect.ProtocolGen;

/// <summary>
/// Deterministic C# naming for spec names (documented in docs/protocol-codegen.md):
/// a property that collides with a generated member gets the suffix "Value";
/// a nested type that collides with a member of the message class, with the message itself,
/// with one of its own properties or with a type the generated code uses gets the suffix "Data"
/// (repeated until unique).
/// </summary>
internal static class Names
{
    private static readonly string[] RootMembers =
        ["Key", "LowestVersion", "HighestVersion", "FlexibleVersion", "LatestVersionUnstable", "Read", "Write", "IsDefault"];

    private static readonly string[] StructMembers = ["Read", "Write", "IsDefault"];

    private static readonly string[] UsedTypes =
        ["Uuid", "List", "ProtocolReader", "ProtocolWriter", "ProtocolException", "ApiKey", "IKafkaMessage", "MessageHelpers",
         "ReadOnlyMemory", "ArgumentOutOfRangeException", "InvalidOperationException"];

    public static void Resolve(MessageSpec msg)
    {
        var rootReserved = new HashSet<string>(RootMembers) { msg.Name };
        foreach (var f in msg.Fields) f.PropName = Unique(f.Name, rootReserved, "Value");
        foreach (var s in msg.Structs)
        {
            var reserved = new HashSet<string>(StructMembers);
            foreach (var f in s.Fields) f.PropName = Unique(f.Name, reserved, "Value");
        }

        var taken = new HashSet<string>(UsedTypes) { msg.Name };
        foreach (var m in RootMembers) taken.Add(m);
        foreach (var f in msg.Fields) taken.Add(f.PropName);
        foreach (var s in msg.Structs)
        {
            var name = s.SpecName;
            while (taken.Contains(name) || HasProperty(s, name)) name += "Data";
            taken.Add(name);
            s.CsName = name;
        }

        foreach (var f in msg.Fields) Bind(msg, f);
        foreach (var s in msg.Structs)
            foreach (var f in s.Fields) Bind(msg, f);
    }

    private static string Unique(string name, HashSet<string> reserved, string suffix)
    {
        while (reserved.Contains(name)) name += suffix;
        reserved.Add(name);
        return name;
    }

    private static bool HasProperty(StructSpec s, string name)
    {
        foreach (var f in s.Fields)
            if (f.PropName == name) return true;
        return false;
    }

    private static void Bind(MessageSpec msg, FieldSpec f)
    {
        if (!f.IsStructType) return;
        var s = msg.FindStruct(f.ElementType) ?? throw new InvalidOperationException($"{msg.Name}: unknown struct type {f.ElementType}.");
        f.StructCsName = s.CsName;
    }
}
