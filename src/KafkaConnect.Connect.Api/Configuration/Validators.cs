using System.Globalization;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.Configuration;

// Nested like Java's ConfigDef.Range etc.; also keeps Range clear of System.Range.
public sealed partial class ConfigDef
{
    /// <summary>Numeric bounds, inclusive. Accepts any parsed numeric setting (Short, Int, Long, Double).</summary>
    public sealed class Range : IValidator
    {
        private readonly object? _min;
        private readonly object? _max;

        private Range(object? min, object? max)
        {
            _min = min;
            _max = max;
        }

        public static Range AtLeast(long min) => new(min, null);

        public static Range AtLeast(double min) => new(min, null);

        public static Range AtMost(long max) => new(null, max);

        public static Range Between(long min, long max) => new(min, max);

        public static Range Between(double min, double max) => new(min, max);

        public void EnsureValid(string name, object? value)
        {
            if (value is null)
            {
                throw new ConfigException(name, null, "Value must be non-null");
            }
            if (_min is not null && Compare(value, _min) < 0)
            {
                throw new ConfigException(name, value, "Value must be at least " + Format(_min));
            }
            if (_max is not null && Compare(value, _max) > 0)
            {
                throw new ConfigException(name, value, "Value must be no more than " + Format(_max));
            }
        }

        public override string ToString() => (_min, _max) switch
        {
            (null, null) => "[...]",
            (null, _) => $"[...,{Format(_max)}]",
            (_, null) => $"[{Format(_min)},...]",
            _ => $"[{Format(_min)},...,{Format(_max)}]",
        };

        // Integers compare exactly as long; anything floating compares as double.
        private static int Compare(object value, object bound)
        {
            if (TryAsLong(value, out var l) && TryAsLong(bound, out var b))
            {
                return l.CompareTo(b);
            }
            return AsDouble(value).CompareTo(AsDouble(bound));
        }

        private static bool TryAsLong(object value, out long result)
        {
            switch (value)
            {
                case sbyte v: result = v; return true;
                case short v: result = v; return true;
                case int v: result = v; return true;
                case long v: result = v; return true;
                default: result = 0; return false;
            }
        }

        private static double AsDouble(object value) => value switch
        {
            IConvertible c when value is not string => c.ToDouble(CultureInfo.InvariantCulture),
            _ => throw new ConfigException($"Range validation needs a number, not {value.GetType().Name}"),
        };

        private static string Format(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
    }

    /// <summary>The value must be one of a fixed set of strings (case-sensitive unless created with IgnoringCase).</summary>
    public sealed class ValidString : IValidator
    {
        private readonly IReadOnlyList<string> _validStrings;
        private readonly StringComparer _comparer;

        private ValidString(IReadOnlyList<string> validStrings, StringComparer comparer)
        {
            _validStrings = validStrings;
            _comparer = comparer;
        }

        public static ValidString In(params string[] validStrings) => new([.. validStrings], StringComparer.Ordinal);

        public static ValidString InIgnoringCase(params string[] validStrings) => new([.. validStrings], StringComparer.OrdinalIgnoreCase);

        public IReadOnlyList<string> ValidStrings => _validStrings;

        public void EnsureValid(string name, object? value)
        {
            var s = value as string;
            if (s is null || !_validStrings.Contains(s, _comparer))
            {
                throw new ConfigException(name, value, "String must be one of: " + string.Join(", ", _validStrings));
            }
        }

        public override string ToString() => "[" + string.Join(", ", _validStrings) + "]";
    }

    /// <summary>Every element of a List setting must be one of a fixed set of strings.</summary>
    public sealed class ValidList : IValidator
    {
        private readonly ValidString _validString;
        private readonly bool _allowEmpty;

        private ValidList(ValidString validString, bool allowEmpty)
        {
            _validString = validString;
            _allowEmpty = allowEmpty;
        }

        public static ValidList In(params string[] validStrings) => new(ValidString.In(validStrings), allowEmpty: true);

        /// <summary>As <see cref="In"/>, but an empty list is rejected.</summary>
        public static ValidList NonEmptyIn(params string[] validStrings) => new(ValidString.In(validStrings), allowEmpty: false);

        public void EnsureValid(string name, object? value)
        {
            if (value is null)
            {
                throw new ConfigException(name, null, "List must be non-null");
            }
            if (value is not IEnumerable<string> list)
            {
                throw new ConfigException(name, value, "Value must be a list");
            }
            var any = false;
            foreach (var element in list)
            {
                any = true;
                _validString.EnsureValid(name, element);
            }
            if (!any && !_allowEmpty)
            {
                throw new ConfigException(name, value, "Empty list is not allowed");
            }
        }

        public override string ToString() => _validString.ToString();
    }

    /// <summary>The value must be a non-empty string.</summary>
    public sealed class NonEmptyString : IValidator
    {
        public static readonly NonEmptyString Instance = new();

        public void EnsureValid(string name, object? value)
        {
            if (value is not string s)
            {
                throw new ConfigException(name, value, "entry must be non null");
            }
            if (s.Length == 0)
            {
                throw new ConfigException(name, value, "String must be non-empty");
            }
        }

        public override string ToString() => "non-empty string";
    }

    /// <summary>The value must be set (to anything).</summary>
    public sealed class NonNullValidator : IValidator
    {
        public static readonly NonNullValidator Instance = new();

        public void EnsureValid(string name, object? value)
        {
            if (value is null)
            {
                throw new ConfigException(name, null, "Entry must be non null");
            }
        }

        public override string ToString() => "non-null value";
    }

    /// <summary>All of several validators must pass; for combining e.g. NonNull with a Range.</summary>
    public sealed class CompositeValidator : IValidator
    {
        private readonly IReadOnlyList<IValidator> _validators;

        private CompositeValidator(IReadOnlyList<IValidator> validators) => _validators = validators;

        public static CompositeValidator Of(params IValidator[] validators) => new([.. validators]);

        public void EnsureValid(string name, object? value)
        {
            foreach (var validator in _validators)
            {
                validator.EnsureValid(name, value);
            }
        }

        public override string ToString() => string.Join(", ", _validators.Select(v => v.ToString()));
    }

    /// <summary>A validator from a delegate, for one-off rules; <paramref name="description"/> feeds the docs.</summary>
    public sealed class LambdaValidator : IValidator
    {
        private readonly Action<string, object?> _ensureValid;
        private readonly string _description;

        private LambdaValidator(Action<string, object?> ensureValid, string description)
        {
            _ensureValid = ensureValid;
            _description = description;
        }

        public static LambdaValidator With(Action<string, object?> ensureValid, string description)
        {
            ArgumentNullException.ThrowIfNull(ensureValid);
            ArgumentNullException.ThrowIfNull(description);
            return new LambdaValidator(ensureValid, description);
        }

        public void EnsureValid(string name, object? value) => _ensureValid(name, value);

        public override string ToString() => _description;
    }
}
