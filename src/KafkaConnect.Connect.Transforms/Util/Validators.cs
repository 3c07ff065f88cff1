using System.Collections;
using System.Text.RegularExpressions;
using KafkaConnect.Connect.Configuration;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Transforms.Util;

internal sealed class NonEmptyListValidator : IValidator
{
    public static readonly NonEmptyListValidator Instance = new();

    public void EnsureValid(string name, object? value)
    {
        if (value is not ICollection { Count: > 0 })
        {
            throw new ConfigException(name, value, "Empty list");
        }
    }

    public override string ToString() => "non-empty list";
}

internal sealed class RegexValidator : IValidator
{
    public static readonly RegexValidator Instance = new();

    public void EnsureValid(string name, object? value)
    {
        try
        {
            _ = new Regex((string)value!, RegexOptions.None);
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or NullReferenceException)
        {
            throw new ConfigException(name, value, "Invalid regex: " + e.Message);
        }
    }

    public override string ToString() => "valid regex";
}
