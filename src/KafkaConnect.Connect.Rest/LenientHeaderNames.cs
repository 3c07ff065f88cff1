using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace KafkaConnect.Connect.Rest;

/// <summary>
/// Accepts request heads that put whitespace between a header name and its colon, as Jetty (Apache's REST server)
/// does and Kestrel does not: tutorials pass <c>curl -H "Content-Type : application/json"</c>, which Kestrel would
/// answer with an empty 400. The first request head of each connection is rewritten to <c>Content-Type: …</c>; the
/// rest of the connection passes through untouched (curl sends one request per connection).
/// </summary>
internal sealed class LenientHeaderNames : IDuplexPipe
{
    // A head this long is not one a tutorial's curl sent: stop looking and pass it on for Kestrel to judge.
    private const int MaxHeadBytes = 32 * 1024;

    private readonly Pipe _rewritten = new(new PipeOptions(useSynchronizationContext: false));

    private LenientHeaderNames(IDuplexPipe transport)
    {
        Output = transport.Output;
        _ = PumpAsync(transport.Input, _rewritten.Writer);
    }

    public PipeReader Input => _rewritten.Reader;

    public PipeWriter Output { get; }

    /// <summary>Kestrel connection middleware that applies the rewrite on every connection.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware { get; } = next => connection =>
    {
        connection.Transport = new LenientHeaderNames(connection.Transport);
        return next(connection);
    };

    private static async Task PumpAsync(PipeReader source, PipeWriter target)
    {
        var head = new Head();
        try
        {
            while (true)
            {
                var result = await source.ReadAsync().ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    head.Copy(segment.Span, target);
                }
                source.AdvanceTo(result.Buffer.End);
                var flush = await target.FlushAsync().ConfigureAwait(false);
                if (result.IsCompleted || result.IsCanceled || flush.IsCompleted)
                {
                    break;
                }
            }
            head.Flush(target);
            await target.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await target.CompleteAsync(e).ConfigureAwait(false);
        }
        finally
        {
            await source.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Line-by-line state over the first request head; after its blank line, bytes are copied as they come.</summary>
    private sealed class Head
    {
        private readonly ArrayBufferWriter<byte> _line = new(256);
        private bool _done;
        private bool _firstLine = true;
        private int _seen;

        public void Copy(ReadOnlySpan<byte> bytes, PipeWriter target)
        {
            while (!_done && !bytes.IsEmpty)
            {
                var newline = bytes.IndexOf((byte)'\n');
                var take = newline < 0 ? bytes.Length : newline + 1;
                _line.Write(bytes[..take]);
                _seen += take;
                bytes = bytes[take..];
                if (newline >= 0)
                {
                    EmitLine(target);
                }
                else if (_seen > MaxHeadBytes)
                {
                    Flush(target);
                    _done = true;
                }
            }
            if (!bytes.IsEmpty)
            {
                target.Write(bytes);
            }
        }

        public void Flush(PipeWriter target)
        {
            if (_line.WrittenCount > 0)
            {
                target.Write(_line.WrittenSpan);
                _line.Clear();
            }
        }

        private void EmitLine(PipeWriter target)
        {
            var line = _line.WrittenSpan;
            if (_firstLine)
            {
                _firstLine = false;
                // HTTP/2 with prior knowledge starts "PRI * HTTP/2.0": not an HTTP/1 head.
                _done = line.StartsWith("PRI "u8);
            }
            else if (line.SequenceEqual("\r\n"u8) || line.SequenceEqual("\n"u8))
            {
                _done = true;
            }
            else
            {
                var colon = line.IndexOf((byte)':');
                if (colon > 0 && line[colon - 1] is (byte)' ' or (byte)'\t')
                {
                    var name = line[..colon].TrimEnd(" \t"u8);
                    if (!name.IsEmpty)
                    {
                        target.Write(name);
                        target.Write(line[colon..]);
                        _line.Clear();
                        return;
                    }
                }
            }
            target.Write(line);
            _line.Clear();
        }
    }
}
