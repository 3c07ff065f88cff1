using System.Reflection;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.ProtocolGen;

namespace KafkaConnect.Protocol.Tests.Messages;

public sealed class MessageRoundTripTests
{
    private static readonly Lazy<Dictionary<string, MessageSpec>?> Specs = new(() =>
        SpecLocator.SpecDir is null ? null : Generator.LoadSpecs(SpecLocator.SpecDir).ToDictionary(s => s.Name));

    public static IEnumerable<object[]> MessageTypes()
        => typeof(IKafkaMessage).Assembly.GetTypes()
            .Where(t => typeof(IKafkaMessage).IsAssignableFrom(t) && t.IsClass && !t.IsAbstract)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new object[] { t.Name });

    private static Type MessageType(string name)
        => typeof(IKafkaMessage).Assembly.GetType("KafkaConnect.Protocol.Messages." + name)!;

    private static short Const(Type t, string name) => (short)t.GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    internal static byte[] Write(IKafkaMessage m, short version)
    {
        using var w = new ProtocolWriter(16);
        m.Write(w, version);
        return w.WrittenSpan.ToArray();
    }

    [Fact]
    public void AllSpecMessagesAreGenerated() => Assert.True(MessageTypes().Count() >= 180);

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void EveryVersionRoundTripsWithNonDefaultValues(string name)
    {
        var type = MessageType(name);
        var spec = Specs.Value?.GetValueOrDefault(name);
        for (var v = Const(type, "LowestVersion"); v <= Const(type, "HighestVersion"); v++)
        {
            var original = (IKafkaMessage)Activator.CreateInstance(type)!;
            new MessageFiller(v).Fill(original);
            var bytes = Write(original, v);

            var copy = (IKafkaMessage)Activator.CreateInstance(type)!;
            var reader = new ProtocolReader(bytes);
            copy.Read(ref reader, v);
            Assert.True(reader.End, $"{name} v{v}: {reader.Remaining} bytes left after Read");
            Assert.Equal(bytes, Write(copy, v));

            if (spec is not null) CheckFields(spec, spec.Fields, original, copy, v, $"{name} v{v}");
        }
    }

    /// <summary>Fields present in the version survive; absent ones come back as defaults.</summary>
    private static void CheckFields(MessageSpec spec, List<FieldSpec> fields, object expected, object actual, short v, string path)
    {
        var fresh = Activator.CreateInstance(actual.GetType())!;
        foreach (var f in fields)
        {
            var p = actual.GetType().GetProperty(f.PropName)!;
            Assert.True(p is not null, $"{path}.{f.PropName} missing");
            var e = p.GetValue(expected);
            var a = p.GetValue(actual);
            var where = $"{path}.{f.PropName}";
            if (!f.Versions.Contains(v))
            {
                Assert.True(MessageComparer.ValueEquals(p.GetValue(fresh), a), $"{where}: absent field was not left at its default");
                continue;
            }
            if (f.IsStructType)
            {
                var sub = spec.Structs.First(s => s.CsName == f.StructCsName).Fields;
                if (f.IsArray)
                {
                    var el = (System.Collections.IList)e!;
                    var al = (System.Collections.IList)a!;
                    Assert.Equal(el.Count, al.Count);
                    for (var i = 0; i < el.Count; i++) CheckFields(spec, sub, el[i]!, al[i]!, v, $"{where}[{i}]");
                }
                else
                {
                    Assert.NotNull(a);
                    CheckFields(spec, sub, e!, a!, v, where);
                }
                continue;
            }
            Assert.True(MessageComparer.ValueEquals(e, a), $"{where}: value did not survive the round trip");
        }
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void TruncatedInputThrowsProtocolException(string name)
    {
        var type = MessageType(name);
        for (var v = Const(type, "LowestVersion"); v <= Const(type, "HighestVersion"); v++)
        {
            var original = (IKafkaMessage)Activator.CreateInstance(type)!;
            new MessageFiller(v).Fill(original);
            var bytes = Write(original, v);
            for (var length = 0; length < bytes.Length; length++)
            {
                var copy = (IKafkaMessage)Activator.CreateInstance(type)!;
                var slice = bytes.AsMemory(0, length);
                var version = v;
                var ex = Record.Exception(() =>
                {
                    var reader = new ProtocolReader(slice);
                    copy.Read(ref reader, version);
                });
                Assert.True(ex is ProtocolException, $"{name} v{v} cut at {length}/{bytes.Length}: {ex?.GetType().Name ?? "no exception"}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void InvalidVersionsAreRejected(string name)
    {
        var type = MessageType(name);
        var m = (IKafkaMessage)Activator.CreateInstance(type)!;
        var tooHigh = (short)(Const(type, "HighestVersion") + 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(m, tooHigh));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(m, -1));
        var ex = Record.Exception(() =>
        {
            var reader = new ProtocolReader(new byte[64]);
            m.Read(ref reader, tooHigh);
        });
        Assert.IsType<ProtocolException>(ex);
    }

    [Fact]
    public void FactoriesMatchApiKeys()
    {
        foreach (var key in ApiMessages.AllKeys)
        {
            var request = ApiMessages.CreateRequest(key);
            var response = ApiMessages.CreateResponse(key);
            Assert.Equal(key, (ApiKey)request.GetType().GetField("Key")!.GetValue(null)!);
            Assert.Equal(key, (ApiKey)response.GetType().GetField("Key")!.GetValue(null)!);
            Assert.EndsWith("Request", request.GetType().Name, StringComparison.Ordinal);
            Assert.EndsWith("Response", response.GetType().Name, StringComparison.Ordinal);
            Assert.True(ApiMessages.TryGetVersionRange(key, out var lo, out var hi));
            Assert.Equal(Const(request.GetType(), "LowestVersion"), lo);
            Assert.Equal(Const(request.GetType(), "HighestVersion"), hi);
        }
        Assert.False(ApiMessages.TryGetVersionRange((ApiKey)(-5), out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ApiMessages.CreateRequest((ApiKey)999));
    }
}
