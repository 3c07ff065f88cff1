using System.Text;

namespace KafkaConnect.Connect.Jdbc.Dialects;

/// <summary>
/// MySql.Data 8.0.16 resolves server character sets through Encoding.GetEncoding, and does not know the
/// "utf8mb3" name MariaDB 10.6+ reports; this maps the MySQL UTF-8 names to UTF-8.
/// </summary>
internal sealed class MySqlEncodingProvider : EncodingProvider
{
    private static int s_registered;

    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            Encoding.RegisterProvider(new MySqlEncodingProvider());
        }
    }

    public override Encoding? GetEncoding(int codepage) => null;

    public override Encoding? GetEncoding(string name) =>
        name.Equals("utf8mb3", StringComparison.OrdinalIgnoreCase) || name.Equals("utf8mb4", StringComparison.OrdinalIgnoreCase)
            ? new UTF8Encoding(false)
            : null;
}
