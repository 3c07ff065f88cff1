using System.Collections;
using System.Reflection;

namespace KafkaConnect.Protocol.Tests.Messages;

/// <summary>Fills generated message objects with non-default values (reflection; test-only).</summary>
internal sealed class MessageFiller
{
    private int _seed;

    public MessageFiller(int seed = 1) => _seed = seed;

    public static IEnumerable<PropertyInfo> Properties(Type t)
        => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite);

    public void Fill(object target, int depth = 0)
    {
        var fresh = Activator.CreateInstance(target.GetType())!;
        foreach (var p in Properties(target.GetType()))
            p.SetValue(target, Make(p.PropertyType, p.GetValue(fresh), depth));
    }

    private object Make(Type t, object? defaultValue, int depth)
    {
        var n = ++_seed;
        object v;
        if (t == typeof(sbyte)) v = (sbyte)(n % 100 + 2);
        else if (t == typeof(short)) v = (short)(n * 7 + 2);
        else if (t == typeof(ushort)) v = (ushort)(n * 7 + 40000);
        else if (t == typeof(int)) v = n * 1000 + 2;
        else if (t == typeof(uint)) v = (uint)n * 1000u + 3_000_000_000u;
        else if (t == typeof(long)) v = n * 10_000_000_000L + 2;
        else if (t == typeof(double)) v = n + 0.25;
        else if (t == typeof(bool)) v = !(bool)defaultValue!;
        else if (t == typeof(string)) v = $"s{n}-é";
        else if (t == typeof(byte[])) v = new byte[] { 1, 2, (byte)n };
        else if (t == typeof(Uuid)) v = new Uuid(n, -n);
        else if (t == typeof(ReadOnlyMemory<byte>?) || t == typeof(ReadOnlyMemory<byte>)) v = new ReadOnlyMemory<byte>([9, 8, 7, (byte)n]);
        else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(t)!;
            var count = depth < 2 ? 2 : 1;
            for (var i = 0; i < count; i++) list.Add(Make(t.GetGenericArguments()[0], null, depth + 1));
            v = list;
        }
        else if (t.IsClass)
        {
            var obj = Activator.CreateInstance(t)!;
            Fill(obj, depth + 1);
            v = obj;
        }
        else throw new NotSupportedException(t.FullName);
        if (defaultValue is not null && v.Equals(defaultValue)) return Make(t, defaultValue, depth);
        return v;
    }
}

/// <summary>Deep value comparison of generated message objects.</summary>
internal static class MessageComparer
{
    public static bool ValueEquals(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        switch (a)
        {
            case byte[] x when b is byte[] y: return x.AsSpan().SequenceEqual(y);
            case ReadOnlyMemory<byte> x when b is ReadOnlyMemory<byte> y: return x.Span.SequenceEqual(y.Span);
            case string or ValueType: return a.Equals(b);
            case IList x when b is IList y:
                if (x.Count != y.Count) return false;
                for (var i = 0; i < x.Count; i++)
                    if (!ValueEquals(x[i], y[i])) return false;
                return true;
        }
        if (a.GetType() != b.GetType()) return false;
        foreach (var p in MessageFiller.Properties(a.GetType()))
            if (!ValueEquals(p.GetValue(a), p.GetValue(b))) return false;
        return true;
    }
}
