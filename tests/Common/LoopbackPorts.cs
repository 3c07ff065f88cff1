using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace KafkaConnect.Tests.Common;

/// <summary>
/// Free loopback ports for servers a test starts. The kernel may hand the same port to two binds in a row once the
/// first is released, so a port given out once is never given out again by this process (two listeners of one broker
/// once got the same port).
/// </summary>
internal static class LoopbackPorts
{
    private static readonly ConcurrentDictionary<int, byte> s_given = new();

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (s_given.TryAdd(port, 0))
            {
                return port;
            }
        }
    }
}
