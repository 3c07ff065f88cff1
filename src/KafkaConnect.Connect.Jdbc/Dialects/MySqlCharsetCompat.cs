using System.Collections;
using System.Reflection;
using MySql.Data.MySqlClient;

namespace KafkaConnect.Connect.Jdbc.Dialects;

/// <summary>
/// MySql.Data 8.0.16 (the newest MySQL driver the package mirror serves) predates the "utf8mb3" character-set name
/// that MariaDB 10.6+ reports for information_schema and utf8 columns, and refuses to read such columns. The
/// driver's private charset table is keyed by name; this adds "utf8mb3" as the same 3-byte UTF-8 set as "utf8".
/// </summary>
internal static class MySqlCharsetCompat
{
    private static int s_patched;

    public static void EnsurePatched()
    {
        if (Interlocked.Exchange(ref s_patched, 1) != 0) return;
        var map = typeof(MySqlConnection).Assembly.GetType("MySql.Data.MySqlClient.CharSetMap");
        var field = map?.GetField("_mapping", BindingFlags.Static | BindingFlags.NonPublic);
        if (field?.GetValue(null) is not IDictionary mapping)
        {
            map?.GetMethod("InitializeMapping", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)?.Invoke(null, null);
            mapping = field?.GetValue(null) as IDictionary
                ?? throw new InvalidOperationException("MySql.Data's character-set table was not found; this driver version is not supported.");
        }
        lock (mapping)
        {
            if (!mapping.Contains("utf8mb3") && mapping.Contains("utf8")) mapping["utf8mb3"] = mapping["utf8"];
        }
    }
}
