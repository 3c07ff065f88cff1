using System.Globalization;
using System.Text;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Debezium.Postgres;

/// <summary>
/// An interval as PostgreSQL prints it with IntervalStyle=postgres (<c>1 year 2 mons -3 days +04:05:06.5</c>), split as
/// the JDBC driver's PGInterval splits it, which is what Debezium's conversions start from.
/// </summary>
internal readonly record struct PgInterval(int Years, int Months, int Days, int Hours, int Minutes, decimal Seconds)
{
    // Debezium's MicroDuration.DAYS_PER_MONTH_AVG: years and months count 365.25 / 12 days each month.
    private const double DaysPerMonthAvg = 365.25 / 12.0d;

    public static PgInterval Parse(string text)
    {
        int years = 0, months = 0, days = 0, hours = 0, minutes = 0;
        var seconds = 0m;
        var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token.Contains(':', StringComparison.Ordinal))
            {
                var negative = token[0] == '-';
                var parts = token.TrimStart('+', '-').Split(':');
                var sign = negative ? -1 : 1;
                hours = sign * int.Parse(parts[0], CultureInfo.InvariantCulture);
                minutes = sign * int.Parse(parts[1], CultureInfo.InvariantCulture);
                seconds = parts.Length > 2 ? sign * decimal.Parse(parts[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : 0m;
                continue;
            }
            if (i + 1 >= tokens.Length || !int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount))
            {
                throw new DataException($"Unsupported interval value '{text}' (IntervalStyle must be postgres)");
            }
            var unit = tokens[++i];
            if (unit.StartsWith("year", StringComparison.Ordinal))
            {
                years = amount;
            }
            else if (unit.StartsWith("mon", StringComparison.Ordinal))
            {
                months = amount;
            }
            else if (unit.StartsWith("day", StringComparison.Ordinal))
            {
                days = amount;
            }
            else
            {
                throw new DataException($"Unsupported interval value '{text}'");
            }
        }
        return new PgInterval(years, months, days, hours, minutes, seconds);
    }

    /// <summary>Debezium's MicroDuration: the whole interval in microseconds, computed in doubles as there.</summary>
    public long ToMicros()
    {
        var numberOfDays = ((Years * 12) + Months) * DaysPerMonthAvg + Days;
        var numberOfSeconds = (((numberOfDays * 24 + Hours) * 60) + Minutes) * 60 + (double)Seconds;
        return (long)(numberOfSeconds * 1e6);
    }

    /// <summary>Debezium's Interval: <c>P&lt;y&gt;Y&lt;m&gt;M&lt;d&gt;DT&lt;h&gt;H&lt;m&gt;M&lt;s&gt;S</c>, the seconds without trailing zeros.</summary>
    public string ToIsoString()
    {
        var s = Seconds.ToString(CultureInfo.InvariantCulture);
        if (s.Contains('.', StringComparison.Ordinal))
        {
            s = s.TrimEnd('0').TrimEnd('.');
        }
        if (s == "-0")
        {
            s = "0";
        }
        return string.Create(CultureInfo.InvariantCulture, $"P{Years}Y{Months}M{Days}DT{Hours}H{Minutes}M{s}S");
    }
}

/// <summary>Parses the text form of a one-dimensional PostgreSQL array (<c>{1,NULL,"a \"b\""}</c>).</summary>
internal static class PgArray
{
    public static List<object?> Parse(string text, Func<string, object> parseElement)
    {
        var start = text.IndexOf('{', StringComparison.Ordinal);
        if (start < 0 || text[^1] != '}')
        {
            throw new DataException($"Unsupported array value '{text}'");
        }
        var elements = new List<object?>();
        var i = start + 1;
        if (text[i] == '}')
        {
            return elements;
        }
        var element = new StringBuilder();
        while (i < text.Length)
        {
            element.Clear();
            var quoted = text[i] == '"';
            if (text[i] == '{')
            {
                throw new DataException($"Multi-dimensional array value '{text}' is not supported");
            }
            if (quoted)
            {
                for (i++; text[i] != '"'; i++)
                {
                    element.Append(text[i] == '\\' ? text[++i] : text[i]);
                }
                i++;
            }
            else
            {
                for (; text[i] != ',' && text[i] != '}'; i++)
                {
                    element.Append(text[i]);
                }
            }
            var value = element.ToString();
            elements.Add(!quoted && value.Equals("NULL", StringComparison.OrdinalIgnoreCase) ? null : parseElement(value));
            if (text[i] == '}')
            {
                break;
            }
            i++; // the comma
        }
        return elements;
    }
}
