using System.Collections;
using System.Text;
using KafkaConnect.Connect.Data;
using KafkaConnect.Connect.Errors;
using KafkaConnect.Connect.Transforms.Util;

namespace KafkaConnect.Connect.Transforms.Field;

/// <summary>
/// A path to one (possibly nested) field. V2 splits on dots; a step wrapped in backticks may contain dots, and a
/// backslash before a backtick that would close the step keeps it literal (KIP-821).
/// </summary>
public sealed class SingleFieldPath : IEquatable<SingleFieldPath>
{
    private readonly string[] _steps;

    public SingleFieldPath(string pathText, FieldSyntaxVersion version)
    {
        ArgumentNullException.ThrowIfNull(pathText);
        Version = version;
        _steps = version switch
        {
            FieldSyntaxVersion.V1 => [pathText],
            FieldSyntaxVersion.V2 => ParseV2(pathText),
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown syntax version"),
        };
    }

    public FieldSyntaxVersion Version { get; }

    public IReadOnlyList<string> Steps => _steps;

    private string LastStep => _steps[^1];

    private static string[] ParseV2(string path)
    {
        var steps = new List<string>();
        var idx = 0;
        while (idx < path.Length)
        {
            if (path[idx] != '`')
            {
                var dot = path.IndexOf('.', idx);
                if (dot < 0)
                {
                    steps.Add(path[idx..]);
                    idx = path.Length;
                }
                else
                {
                    steps.Add(path[idx..dot]);
                    idx = dot + 1;
                }
                continue;
            }
            var opening = idx;
            idx++;
            var start = idx;
            var step = new StringBuilder();
            while (true)
            {
                idx = path.IndexOf('`', idx);
                if (idx < 0)
                {
                    throw IncompletePair(path, opening);
                }
                var escaped = path[idx - 1] == '\\';
                if (idx >= path.Length - 1)
                {
                    // Closing backtick at the very end of the path.
                    if (escaped)
                    {
                        throw IncompletePair(path, opening);
                    }
                    step.Append(path, start, idx - start);
                    steps.Add(step.ToString());
                    idx++;
                    break;
                }
                if (path[idx + 1] != '.')
                {
                    // Only a backtick followed by a dot can close the step; this one is part of the name.
                    idx++;
                    continue;
                }
                if (escaped)
                {
                    step.Append(path, start, idx - 1 - start).Append('`');
                    idx++;
                    start = idx;
                    continue;
                }
                step.Append(path, start, idx - start);
                steps.Add(step.ToString());
                idx += 2;
                break;
            }
        }
        if (path.Length > 0 && path[^1] == '.')
        {
            steps.Add("");
        }
        if (steps.Count == 0)
        {
            steps.Add("");
        }
        return [.. steps];
    }

    private static ConfigException IncompletePair(string path, int backtickAt) =>
        new($"Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {backtickAt} to escape it");

    /// <summary>The field the path names within a struct schema, or null when any step is missing.</summary>
    public Data.Field? FieldFrom(Schema? schema)
    {
        if (schema is null)
        {
            return null;
        }
        var current = schema;
        for (var i = 0; i < _steps.Length - 1; i++)
        {
            var field = current.Type == SchemaType.Struct ? current.GetField(_steps[i]) : null;
            if (field is null)
            {
                return null;
            }
            current = field.Schema;
        }
        return current.Type == SchemaType.Struct ? current.GetField(LastStep) : null;
    }

    public object? ValueFrom(Struct? value, bool withDefault = true)
    {
        if (value is null)
        {
            return null;
        }
        var current = value;
        for (var i = 0; i < _steps.Length - 1; i++)
        {
            if (current.Schema.GetField(_steps[i]) is null)
            {
                return null;
            }
            current = Requirements.RequireStructOrNull(current.Get(_steps[i]), "nested field access");
            if (current is null)
            {
                return null;
            }
        }
        if (current.Schema.GetField(LastStep) is null)
        {
            return null;
        }
        return withDefault ? current.Get(LastStep) : current.GetWithoutDefault(LastStep);
    }

    public object? ValueFrom(IDictionary? map)
    {
        if (map is null)
        {
            return null;
        }
        var current = map;
        for (var i = 0; i < _steps.Length - 1; i++)
        {
            current = Requirements.RequireMapOrNull(Requirements.Get(current, _steps[i]), "nested field access");
            if (current is null)
            {
                return null;
            }
        }
        return Requirements.Get(current, LastStep);
    }

    public bool Equals(SingleFieldPath? other) => other is not null && _steps.AsSpan().SequenceEqual(other._steps);

    public override bool Equals(object? obj) => obj is SingleFieldPath other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var step in _steps)
        {
            hash.Add(step);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => $"SingleFieldPath{{version={Version}, path={string.Join('.', _steps)}}}";
}
