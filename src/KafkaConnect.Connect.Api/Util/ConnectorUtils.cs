namespace KafkaConnect.Connect.Util;

/// <summary>Helpers for splitting work in <see cref="Connectors.Connector.TaskConfigs"/>.</summary>
public static class ConnectorUtils
{
    /// <summary>
    /// Splits <paramref name="elements"/> into <paramref name="numGroups"/> contiguous groups whose sizes differ
    /// by at most one (earlier groups get the extra elements). Groups may be empty when there are fewer
    /// elements than groups.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<T>> GroupPartitions<T>(IReadOnlyList<T> elements, int numGroups)
    {
        ArgumentNullException.ThrowIfNull(elements);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numGroups);
        var result = new List<IReadOnlyList<T>>(numGroups);
        var perGroup = elements.Count / numGroups;
        var leftover = elements.Count % numGroups;
        var index = 0;
        for (var group = 0; group < numGroups; group++)
        {
            var size = perGroup + (group < leftover ? 1 : 0);
            var members = new List<T>(size);
            for (var i = 0; i < size; i++)
            {
                members.Add(elements[index++]);
            }
            result.Add(members);
        }
        return result;
    }
}
