using System.Buffers.Binary;
using System.Net.Sockets;
using KafkaConnect.Network;

namespace KafkaConnect.Broker.Tests.Network;

/// <summary>A raw-socket client for <see cref="FakeHandler"/>'s frames, shared by the network tests.</summary>
internal static class FrameClient
{
    internal static async Task<Socket> ConnectAsync(KafkaServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.LocalEndPoint).WaitAsync(KafkaServerTests.Wait);
        return socket;
    }

    internal static byte[] Frame(char command, string payload = "")
    {
        var body = System.Text.Encoding.ASCII.GetBytes(command + payload);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    internal static async Task SendAsync(Socket socket, params byte[][] frames)
    {
        var all = frames.SelectMany(f => f).ToArray();
        await socket.SendAsync(all, SocketFlags.None).WaitAsync(KafkaServerTests.Wait);
    }

    /// <summary>Reads one response frame; null when the server closed the connection.</summary>
    internal static async Task<string?> ReceiveAsync(Socket socket)
    {
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(socket, prefix)) return null;
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        if (!await ReadExactlyAsync(socket, body)) throw new Xunit.Sdk.XunitException("connection closed mid-response");
        return System.Text.Encoding.ASCII.GetString(body);
    }

    internal static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        using var cts = new CancellationTokenSource(KafkaServerTests.Wait);
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
            }
            catch (SocketException)
            {
                return false; // reset by the server: closed as well
            }
            if (n == 0)
            {
                if (read == 0) return false;
                throw new Xunit.Sdk.XunitException($"connection closed after {read} of {buffer.Length} bytes");
            }
            read += n;
        }
        return true;
    }

    internal static async Task AssertClosedAsync(Socket socket) => Assert.Null(await ReceiveAsync(socket));

    internal static async Task AssertEchoAsync(Socket socket, string payload)
    {
        await SendAsync(socket, Frame('E', payload));
        Assert.Equal(payload, await ReceiveAsync(socket));
    }
}
