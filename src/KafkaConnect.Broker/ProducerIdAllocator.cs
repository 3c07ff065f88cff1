using System.Globalization;

namespace KafkaConnect.Broker;

/// <summary>
/// Hands out producer ids for idempotent producers. Ids are reserved in blocks whose upper bound is stored
/// (fsync'd) before any id of the block is used, so a restarted broker never hands out an id twice.
/// </summary>
internal sealed class ProducerIdAllocator
{
    private const long BlockSize = 1000;
    private readonly string _path;
    private readonly object _lock = new();
    private long _next;
    private long _reservedUpTo;

    public ProducerIdAllocator(string dataDir)
    {
        _path = Path.Combine(dataDir, "producer-ids");
        if (File.Exists(_path) && long.TryParse(File.ReadAllText(_path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var stored))
            _next = _reservedUpTo = stored;
    }

    public long Next()
    {
        lock (_lock)
        {
            if (_next >= _reservedUpTo)
            {
                _reservedUpTo = _next + BlockSize;
                Storage.DurableFile.ReplaceAtomically(_path, System.Text.Encoding.ASCII.GetBytes(_reservedUpTo.ToString(CultureInfo.InvariantCulture)));
            }
            return _next++;
        }
    }
}
