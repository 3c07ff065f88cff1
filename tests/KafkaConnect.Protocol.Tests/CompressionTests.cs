using System.Buffers;
using System.Text;
using KafkaConnect.Protocol.Records;

namespace KafkaConnect.Protocol.Tests;

public sealed class CompressionTests
{
    public static TheoryData<CompressionType> Codecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    public static TheoryData<CompressionType> RealCodecs => new()
    {
        CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    /// <summary>The input the known-answer vectors were made from (the same generator in Python).</summary>
    internal static byte[] VectorInput()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 6000; i++) sb.Append($"{i % 200:D3}:connect-{i % 200 * 31 % 97}\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>1 MiB alternating compressible text and random runs.</summary>
    internal static byte[] MixedData(int size, int seed)
    {
        var random = new Random(seed);
        var data = new byte[size];
        var text = "the quick brown fox jumps over the lazy kafka broker "u8;
        var pos = 0;
        while (pos < size)
        {
            var run = Math.Min(size - pos, random.Next(1, 5000));
            if (random.Next(2) == 0)
            {
                random.NextBytes(data.AsSpan(pos, run));
            }
            else
            {
                var shift = random.Next(text.Length);
                for (var i = 0; i < run; i++) data[pos + i] = text[(i + shift) % text.Length];
            }
            pos += run;
        }
        return data;
    }

    private static byte[] Compress(CompressionType type, ReadOnlySpan<byte> input)
    {
        var output = new ArrayBufferWriter<byte>();
        CompressionCodecs.Compress(type, input, output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Decompress(CompressionType type, ReadOnlySpan<byte> input, int max = CompressionCodecs.DefaultMaxDecompressedSize)
    {
        var output = new ArrayBufferWriter<byte>();
        CompressionCodecs.Decompress(type, input, output, max);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void AllCodecsAreSupportedHere()
    {
        Assert.True(CompressionCodecs.IsSupported(CompressionType.None));
        Assert.True(CompressionCodecs.IsSupported(CompressionType.Gzip));
        Assert.True(CompressionCodecs.IsSupported(CompressionType.Snappy));
        Assert.True(CompressionCodecs.IsSupported(CompressionType.Lz4));
        Assert.True(CompressionCodecs.IsSupported(CompressionType.Zstd)); // libzstd.so.1 is installed on the build machine
        Assert.False(CompressionCodecs.IsSupported((CompressionType)5));
    }

    [Fact]
    public void UnknownCodecThrowsUnsupported()
    {
        var e = Assert.Throws<UnsupportedCompressionException>(() => Compress((CompressionType)6, [1, 2, 3]));
        Assert.Equal((CompressionType)6, e.Type);
        Assert.Throws<UnsupportedCompressionException>(() => Decompress((CompressionType)7, [1, 2, 3]));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTripsEmptySmallAndLarge(CompressionType type)
    {
        byte[][] inputs =
        [
            [],
            [42],
            "hello hello hello hello hello hello"u8.ToArray(),
            new byte[100_000], // long runs of zeros: overlapping copies
            MixedData(1 << 20, 1),
        ];
        foreach (var input in inputs)
        {
            var compressed = Compress(type, input);
            Assert.Equal(input, Decompress(type, compressed));
        }
    }

    [Theory]
    [MemberData(nameof(RealCodecs))]
    public void CompressesRepetitiveData(CompressionType type)
    {
        var input = VectorInput();
        var compressed = Compress(type, input);
        Assert.True(compressed.Length < input.Length / 4, $"{type}: {compressed.Length} of {input.Length}");
        Assert.Equal(input, Decompress(type, compressed));
    }

    [Theory]
    [MemberData(nameof(RealCodecs))]
    public void DecompressRefusesOutputAboveTheLimit(CompressionType type)
    {
        var input = MixedData(300_000, 2);
        var compressed = Compress(type, input);
        Assert.Throws<ProtocolException>(() => Decompress(type, compressed, 100_000));
        Assert.Equal(input, Decompress(type, compressed, input.Length)); // exactly at the limit is fine
    }

    [Fact]
    public void SnappyWritesXerialFraming()
    {
        var compressed = Compress(CompressionType.Snappy, MixedData(100_000, 3));
        Assert.Equal(new byte[] { 0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1 }, compressed[..16]);
    }

    [Fact]
    public void SnappyRawBlockRoundTrips()
    {
        var input = MixedData(50_000, 4);
        var block = new byte[SnappyCodec.MaxCompressedLength(input.Length)];
        var n = SnappyCodec.CompressBlock(input, block);
        // Raw blocks (librdkafka's form) decode through the public API too.
        Assert.Equal(input, Decompress(CompressionType.Snappy, block.AsSpan(0, n)));
    }

    [Fact]
    public void SnappyAcceptsConcatenatedXerialStreams()
    {
        var a = MixedData(40_000, 5);
        var b = VectorInput();
        var both = Compress(CompressionType.Snappy, a).Concat(Compress(CompressionType.Snappy, b)).ToArray();
        Assert.Equal(a.Concat(b).ToArray(), Decompress(CompressionType.Snappy, both));
    }

    [Fact]
    public void Lz4StoresIncompressibleBlocksRaw()
    {
        var input = new byte[70_000];
        new Random(6).NextBytes(input);
        var compressed = Compress(CompressionType.Lz4, input);
        Assert.True(compressed.Length <= input.Length + 7 + 4 * 3, $"{compressed.Length}");
        Assert.Equal(0x80, compressed[7 + 3] & 0x80); // first block's size has the uncompressed flag
        Assert.Equal(input, Decompress(CompressionType.Lz4, compressed));
    }

    [Fact]
    public void Lz4FrameHeaderIsWhatKafkaExpects()
    {
        var compressed = Compress(CompressionType.Lz4, "abc"u8);
        Assert.Equal(new byte[] { 0x04, 0x22, 0x4D, 0x18 }, compressed[..4]);
        Assert.Equal(0x60, compressed[4]); // version 1, independent blocks
        Assert.Equal(0x40, compressed[5]); // 64 KiB blocks
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, compressed[^4..]); // end mark, no content checksum
    }

    [Fact]
    public void Lz4AcceptsConcatenatedAndSkippableFrames()
    {
        var a = Compress(CompressionType.Lz4, "first frame "u8);
        var b = Compress(CompressionType.Lz4, "second frame"u8);
        byte[] skippable = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9];
        var all = a.Concat(skippable).Concat(b).ToArray();
        Assert.Equal("first frame second frame"u8.ToArray(), Decompress(CompressionType.Lz4, all));
    }

    [Fact]
    public void XxHash32MatchesTheLz4Tool()
    {
        // The lz4 CLI's content checksum of the vector input is the xxHash32 of it (last 4 bytes of the frame).
        var frame = Convert.FromBase64String(KnownAnswerVectors.Lz4CliDefault);
        var expected = BitConverter.ToUInt32(frame, frame.Length - 4);
        Assert.Equal(expected, XxHash32.Hash(VectorInput()));
    }

    [Theory]
    [InlineData(CompressionType.Snappy, nameof(KnownAnswerVectors.SnappyRawPrefix), 40_000)]
    [InlineData(CompressionType.Snappy, nameof(KnownAnswerVectors.SnappyXerialPrefix), 40_000)]
    [InlineData(CompressionType.Lz4, nameof(KnownAnswerVectors.Lz4CliDefault), -1)]
    [InlineData(CompressionType.Lz4, nameof(KnownAnswerVectors.Lz4CliLinkedBlockChecksumContentSize), -1)]
    [InlineData(CompressionType.Lz4, nameof(KnownAnswerVectors.Lz4CliIndependentNoChecksum), -1)]
    [InlineData(CompressionType.Zstd, nameof(KnownAnswerVectors.ZstdCliWithContentSize), -1)]
    [InlineData(CompressionType.Zstd, nameof(KnownAnswerVectors.ZstdCliStreamedNoContentSize), -1)]
    [InlineData(CompressionType.Gzip, nameof(KnownAnswerVectors.GzipCli), -1)]
    public void DecodesFramesFromTheReferenceTools(CompressionType type, string vector, int prefix)
    {
        var encoded = (string)typeof(KnownAnswerVectors).GetField(vector)!.GetValue(null)!;
        var expected = VectorInput();
        if (prefix >= 0) expected = expected[..prefix];
        Assert.Equal(expected, Decompress(type, Convert.FromBase64String(encoded)));
    }

    [Fact]
    public void DecodesSmallSnappyBlockFromLibsnappy()
    {
        var decoded = Decompress(CompressionType.Snappy, Convert.FromBase64String(KnownAnswerVectors.SnappyRawSmall));
        Assert.Equal("Hello snappy! Hello snappy! Hello snappy! 0123456789 kafka kafka kafka kafka"u8.ToArray(), decoded);
    }

    [Theory]
    [InlineData(CompressionType.Lz4, nameof(KnownAnswerVectors.Lz4CliLinkedBlockChecksumContentSize))]
    [InlineData(CompressionType.Lz4, nameof(KnownAnswerVectors.Lz4CliDefault))]
    [InlineData(CompressionType.Zstd, nameof(KnownAnswerVectors.ZstdCliStreamedNoContentSize))]
    public void DetectsChecksumMismatches(CompressionType type, string vector)
    {
        var bytes = Convert.FromBase64String((string)typeof(KnownAnswerVectors).GetField(vector)!.GetValue(null)!);
        bytes[^2] ^= 0x5A; // inside the content checksum
        Assert.Throws<ProtocolException>(() => Decompress(type, bytes));
    }

    [Theory]
    [MemberData(nameof(RealCodecs))]
    public void CorruptInputOnlyThrowsProtocolException(CompressionType type)
    {
        var random = new Random(1234 + (int)type);
        var valid = Compress(type, MixedData(20_000, 7));
        var smallValid = Compress(type, "abcabcabcabcabcabcabcabc hello hello"u8);
        for (var i = 0; i < 400; i++)
        {
            byte[] input;
            switch (i % 4)
            {
                case 0:
                    input = new byte[random.Next(0, 200)];
                    random.NextBytes(input);
                    break;
                case 1:
                    input = valid[..random.Next(valid.Length)];
                    break;
                default:
                    var source = i % 4 == 2 ? valid : smallValid;
                    input = (byte[])source.Clone();
                    for (var flips = random.Next(1, 4); flips > 0; flips--) input[random.Next(input.Length)] ^= (byte)random.Next(1, 256);
                    break;
            }
            try
            {
                Decompress(type, input, 1 << 20);
            }
            catch (ProtocolException)
            {
            }
        }
    }

    [Fact]
    public void CorruptSnappyBlocksOnlyThrowProtocolException()
    {
        // Raw snappy has no framing to reject garbage early, so fuzz the element decoder directly.
        var random = new Random(99);
        var block = new byte[SnappyCodec.MaxCompressedLength(5000)];
        var n = SnappyCodec.CompressBlock(MixedData(5000, 8), block);
        for (var i = 0; i < 2000; i++)
        {
            var input = block[..n];
            for (var flips = random.Next(1, 4); flips > 0; flips--) input[random.Next(1, input.Length)] = (byte)random.Next(256);
            try
            {
                Decompress(CompressionType.Snappy, input, 1 << 20);
            }
            catch (ProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Lz4BlockFuzzOnlyThrowsProtocolException()
    {
        // Damage only the compressed block (after the 7-byte frame header and the 4-byte block size): the
        // frame still parses, so the block decoder alone must reject it, and only with ProtocolException.
        var random = new Random(77);
        var frame = Compress(CompressionType.Lz4, MixedData(5000, 9));
        var blockLength = BitConverter.ToInt32(frame, 7);
        Assert.True(blockLength is > 0 and < 5000, $"{blockLength}"); // one compressed block
        var rejected = 0;
        for (var i = 0; i < 2000; i++)
        {
            var input = (byte[])frame.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--) input[11 + random.Next(blockLength)] = (byte)random.Next(256);
            try
            {
                Decompress(CompressionType.Lz4, input, 1 << 20);
            }
            catch (ProtocolException)
            {
                rejected++;
            }
        }
        Assert.True(rejected > 0, "no damaged block was rejected");
    }

    [Theory]
    [InlineData(CompressionType.Lz4, "/usr/bin/lz4", "-d -c")]
    [InlineData(CompressionType.Zstd, "/usr/bin/zstd", "-d -c")]
    [InlineData(CompressionType.Gzip, "/usr/bin/gzip", "-d -c")]
    public void ReferenceToolsDecodeOurOutput(CompressionType type, string tool, string arguments)
    {
        // scripts/test.sh installs the reference tools; a missing one fails rather than passing unchecked.
        Assert.True(File.Exists(tool), $"{tool} is missing: install it (scripts/test.sh does: apt-get install lz4 zstd gzip)");
        var input = MixedData(300_000, 11);
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Compress(type, input));
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(tool, $"{arguments} {path}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            using var decoded = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(decoded);
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            Assert.Equal(input, decoded.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Lz4DecodesLinkedBlocksThatReferToThePreviousBlock()
    {
        // 40 KiB three times in 64 KiB blocks: the second block is all matches 40 KiB back, into the first, so the
        // decoder must hand the previous block to the block codec as its dictionary (lz4 -BD: linked blocks).
        Assert.True(File.Exists("/usr/bin/lz4"), "/usr/bin/lz4 is missing: install it (scripts/test.sh does: apt-get install lz4)");
        var unit = MixedData(40 * 1024, 14);
        var input = unit.Concat(unit).Concat(unit).ToArray();
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, input);
            var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/lz4") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "-BD", "-B4", "-c", path }) psi.ArgumentList.Add(arg);
            using var process = System.Diagnostics.Process.Start(psi)!;
            using var frame = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(frame);
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            var bytes = frame.ToArray();
            Assert.Equal(0, bytes[4] & 0x20); // linked, not independent
            var first = BitConverter.ToInt32(bytes, 7) & 0x7FFFFFFF;
            var second = BitConverter.ToInt32(bytes, 11 + first) & 0x7FFFFFFF;
            Assert.True(second < first / 4, $"blocks of {first} and {second} bytes: the second did not refer to the first");
            Assert.Equal(input, Decompress(CompressionType.Lz4, bytes));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ZstdReusedContextCarriesNothingBetweenBatches()
    {
        // The thread's compression context is reused: the same input must give the same frame whatever came before.
        var a = MixedData(100_000, 15);
        var b = VectorInput();
        var first = Compress(CompressionType.Zstd, a);
        var other = Compress(CompressionType.Zstd, b);
        Assert.Equal(first, Compress(CompressionType.Zstd, a));
        Assert.Equal(b, Decompress(CompressionType.Zstd, other));
        Assert.Equal(a, Decompress(CompressionType.Zstd, first));
    }

    [Fact]
    public void LibsnappyDecodesOurBlocks()
    {
        // Checked through python ctypes against libsnappy (scripts/test.sh installs libsnappy1v5); missing, it fails.
        Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is missing");
        Assert.True(System.Runtime.InteropServices.NativeLibrary.TryLoad("libsnappy.so.1", out var lib),
            "libsnappy.so.1 is missing: install it (scripts/test.sh does: apt-get install libsnappy1v5)");
        System.Runtime.InteropServices.NativeLibrary.Free(lib);
        var input = MixedData(100_000, 12);
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Compress(CompressionType.Snappy, input));
            const string script = """
                import ctypes, struct, sys
                s = ctypes.CDLL("libsnappy.so.1")
                data = open(sys.argv[1], "rb").read()
                assert data[:8] == b"\x82SNAPPY\x00"
                pos, out = 16, bytearray()
                while pos < len(data):
                    (n,) = struct.unpack(">i", data[pos:pos + 4]); pos += 4
                    block = data[pos:pos + n]; pos += n
                    assert s.snappy_validate_compressed_buffer(block, ctypes.c_size_t(n)) == 0
                    size = ctypes.c_size_t()
                    assert s.snappy_uncompressed_length(block, ctypes.c_size_t(n), ctypes.byref(size)) == 0
                    buf = ctypes.create_string_buffer(size.value)
                    assert s.snappy_uncompress(block, ctypes.c_size_t(n), buf, ctypes.byref(size)) == 0
                    out += buf.raw[:size.value]
                sys.stdout.buffer.write(out)
                """;
            var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(path);
            using var process = System.Diagnostics.Process.Start(psi)!;
            using var decoded = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(decoded);
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, stderr);
            Assert.Equal(input, decoded.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(RealCodecs))]
    public void TruncatedInputIsRejected(CompressionType type)
    {
        var compressed = Compress(type, MixedData(50_000, 13));
        foreach (var cut in new[] { 1, 3, 9, compressed.Length / 2 })
            Assert.Throws<ProtocolException>(() => Decompress(type, compressed.AsSpan(0, compressed.Length - cut)));
    }

    [Fact]
    public void GzipAcceptsConcatenatedMembers()
    {
        var both = Compress(CompressionType.Gzip, "first "u8).Concat(Compress(CompressionType.Gzip, "second"u8)).ToArray();
        Assert.Equal("first second"u8.ToArray(), Decompress(CompressionType.Gzip, both));
    }

    [Fact]
    public void HugeDeclaredSnappyLengthIsRejectedWithoutAllocating()
    {
        byte[] input = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x41];
        Assert.Throws<ProtocolException>(() => Decompress(CompressionType.Snappy, input));
    }
}

internal static class KnownAnswerVectors
{
    // Made from VectorInput() by libsnappy 1.1.9 (python ctypes; xerial framing added by hand), the lz4 1.9.4 CLI
    // (default; -B4 -BD -BX --content-size; -B4 --no-frame-crc), the zstd 1.5.4 CLI (file; piped stdin) and gzip -9 -n.
    public const string SnappyRawSmall =
        "TDRIZWxsbyBzbmFwcHkhIG4OADwwMTIzNDU2Nzg5IGthZmthRgYA";

    public const string SnappyRawPrefix =
        "wLgCQDAwMDpjb25uZWN0LTAKMDAxFQ4UMzEKMDAyFQ8UNjIKMDAzFQ8UOTMKMDA0FQ8UMjcKMDA1FQ8UNTgKMDA2FQ8UODkKMDA3FQ8AMgE8AD" +
        "gVDxQ1NAowMDkVDxA4NQowMRmVEDE5CjAxGZYQNTAKMDEZlhA4MQowMRmWADEBPBmWEDQ2CjAxGZYQNzcKMDEZlgAxATwZlhA0MgowMRmWEDcz" +
        "CjAxGZYMNwowMhmVEDM4CjAyGZUQNjkKMDIZlQwzCjAyGZQQMzQKMDIZlBA2NQowMhmUEDk2CjAyGZQQMzAKMDIZlBA2MQowMhmUEDkyCjAyGZ" +
        "QQMjYKMDMZlRA1NwowMxmVEDg4CjAzGZUQMjIKMDMZlhA1MwowMxmWEDg0CjAzGZYAMQE8GZYQNDkKMDMZlhA4MAowMxmWADEBPBmWEDQ1CjA0" +
        "GZYQNzYKMDQZlhAxMAowNBmWEDQxCjA0GZYQNzIKMDQZlgE7GZUQMzcKMDQZlRA2OAowNBmVAToZlBAzMwowNBmUEDY0CjA1GZQQOTUKMDUZlB" +
        "AyOQowNRmUEDYwCjA1GZQQOTEKMDUZlAAyATwZlRA1NgowNRmVEDg3CjA1HZUBPBmWEDUyCjA1GZYQODMKMDYZlhAxNwowNhmWEDQ4CjA2GZYQ" +
        "NzkKMDYZlgAxATwZlhA0NAowNhmWEDc1CjA2GZYBOxmVEDQwCjA2GZUQNzEKMDYZlQw1CjA3GZQQMzYKMDcZlBA2NwowNxmUDDEKMDcZkxAzMg" +
        "owNxmTEDYzCjA3GZMQOTQKMDcZkxAyOAowNxmUEDU5CjA3GZQQOTAKMDcZlBAyNAowOBmVEDU1CjA4GZUQODYKMDgZlRAyMAowOBmWEDUxCjA4" +
        "GZYQODIKMDgZlgAxATwZlhA0NwowOBmWEDc4CjA4GZYAMQE8GZYQNDMKMDkZlhA3NAowOR2WCAowORmVEDM5CjA5GZUQNzAKMDkZlQE6GZQQMz" +
        "UKMDkZlBA2NgowORmUAToZk6GlADkZkww2MgoxvdEMOTMKMb3SDDI3CjG90gw1OAoxvdIMODkKMS7SBQE8GZUMNTQKMS7SBQg1CjG90gAxATwZ" +
        "lgw1MAoxLtIFCDEKMS7SBQg1CjG90gw0NgoxvdIMNzcKMS7SBQE8PSoIMgoxLtIFCDMKMb3SATs5KgwzOAoxvdEMNjkKMb3RCDMKMS7RBQg0Cj" +
        "Eu0QUINQoxvdEMOTYKMS7SBQgwCjEu0gUIMQoxLtIFCDIKMb3SADIBPBmVDDU3CjG90gw4OAoxLtIFCDIKMS7SBQgzCjEu0gUINAoxvdIMMTgK" +
        "Mb3SDDQ5CjEu0gUIMAoxLtIFATxZVQw0NQoxvdIMNzYKMS7SBQE8WVYMNDEKMS7SBQgyCjG90gg2CjG90QwzNwoxvdEMNjgKMb3RATpZVAwzMw" +
        "oxLtEFCDQKMb3REDk1CjE0WVQMMjkKMS7SBQgwCjEu0gUIMQoxLtIFCDUKMb3SDDU2CjG90gw4NwoxLtIFATwZlgw1MgoxLtIFCDMKMb3SADEB" +
        "PBmWDDQ4CjG90gw3OQoxLtIFCDMKMS7SBQg0CjEu0gUINQoxvdIBO13pCDAKMS7RBQgxCjG90QE6WVQMMzYKMb3RDDY3CjG90QgxCjEu0QUIMg" +
        "oxLtEFCDMKMb3RDDk0CjG90gwyOAoxvdIMNTkKMS7SBQgwCjEu0gUBPBmVDDU1CjG90gw4NgoxLtIFCDAKMS7SBQgxCjEu0gUIMgoxvdIMMTYK" +
        "Mb3SDDQ3CjG90gw3OAoxLtIFATxd6QgzCjEu0gUINAoxvdIBO1noDDM5CjEu0QUIMAoxvdEINAoxLtEFCDUKMb3RDDY2CjG90QE6WVIMMzEKMS" +
        "7RBQgyCjG90aGlvdKhpb3SEkoL2WX+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+ow" +
        "v+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+owv+" +
        "owv+owv+owv+owv+owv+owv+owv+owtCows=";

    public const string SnappyXerialPrefix =
        "glNOQVBQWQAAAAABAAAAAQAACwaAgAJAMDAwOmNvbm5lY3QtMAowMDEVDhQzMQowMDIVDxQ2MgowMDMVDxQ5MwowMDQVDxQyNwowMDUVDxQ1OA" +
        "owMDYVDxQ4OQowMDcVDwAyATwAOBUPFDU0CjAwORUPEDg1CjAxGZUQMTkKMDEZlhA1MAowMRmWEDgxCjAxGZYAMQE8GZYQNDYKMDEZlhA3Nwow" +
        "MRmWADEBPBmWEDQyCjAxGZYQNzMKMDEZlgw3CjAyGZUQMzgKMDIZlRA2OQowMhmVDDMKMDIZlBAzNAowMhmUEDY1CjAyGZQQOTYKMDIZlBAzMA" +
        "owMhmUEDYxCjAyGZQQOTIKMDIZlBAyNgowMxmVEDU3CjAzGZUQODgKMDMZlRAyMgowMxmWEDUzCjAzGZYQODQKMDMZlgAxATwZlhA0OQowMxmW" +
        "EDgwCjAzGZYAMQE8GZYQNDUKMDQZlhA3NgowNBmWEDEwCjA0GZYQNDEKMDQZlhA3MgowNBmWATsZlRAzNwowNBmVEDY4CjA0GZUBOhmUEDMzCj" +
        "A0GZQQNjQKMDUZlBA5NQowNRmUEDI5CjA1GZQQNjAKMDUZlBA5MQowNRmUADIBPBmVEDU2CjA1GZUQODcKMDUdlQE8GZYQNTIKMDUZlhA4Mwow" +
        "NhmWEDE3CjA2GZYQNDgKMDYZlhA3OQowNhmWADEBPBmWEDQ0CjA2GZYQNzUKMDYZlgE7GZUQNDAKMDYZlRA3MQowNhmVDDUKMDcZlBAzNgowNx" +
        "mUEDY3CjA3GZQMMQowNxmTEDMyCjA3GZMQNjMKMDcZkxA5NAowNxmTEDI4CjA3GZQQNTkKMDcZlBA5MAowNxmUEDI0CjA4GZUQNTUKMDgZlRA4" +
        "NgowOBmVEDIwCjA4GZYQNTEKMDgZlhA4MgowOBmWADEBPBmWEDQ3CjA4GZYQNzgKMDgZlgAxATwZlhA0MwowORmWEDc0CjA5HZYICjA5GZUQMz" +
        "kKMDkZlRA3MAowORmVAToZlBAzNQowORmUEDY2CjA5GZQBOhmToaUAORmTDDYyCjG90Qw5MwoxvdIMMjcKMb3SDDU4CjG90gw4OQoxLtIFATwZ" +
        "lQw1NAoxLtIFCDUKMb3SADEBPBmWDDUwCjEu0gUIMQoxLtIFCDUKMb3SDDQ2CjG90gw3NwoxLtIFATw9KggyCjEu0gUIMwoxvdIBOzkqDDM4Cj" +
        "G90Qw2OQoxvdEIMwoxLtEFCDQKMS7RBQg1CjG90Qw5NgoxLtIFCDAKMS7SBQgxCjEu0gUIMgoxvdIAMgE8GZUMNTcKMb3SDDg4CjEu0gUIMgox" +
        "LtIFCDMKMS7SBQg0CjG90gwxOAoxvdIMNDkKMS7SBQgwCjEu0gUBPFlVDDQ1CjG90gw3NgoxLtIFATxZVgw0MQoxLtIFCDIKMb3SCDYKMb3RDD" +
        "M3CjG90Qw2OAoxvdEBOllUDDMzCjEu0QUINAoxvdEQOTUKMTRZVAwyOQoxLtIFCDAKMS7SBQgxCjEu0gUINQoxvdIMNTYKMb3SDDg3CjEu0gUB" +
        "PBmWDDUyCjEu0gUIMwoxvdIAMQE8GZYMNDgKMb3SDDc5CjEu0gUIMwoxLtIFCDQKMS7SBQg1CjG90gE7XekIMAoxLtEFCDEKMb3RATpZVAwzNg" +
        "oxvdEMNjcKMb3RCDEKMS7RBQgyCjEu0QUIMwoxvdEMOTQKMb3SDDI4CjG90gw1OQoxLtIFCDAKMS7SBQE8GZUMNTUKMb3SDDg2CjEu0gUIMAox" +
        "LtIFCDEKMS7SBQgyCjG90gwxNgoxvdIMNDcKMb3SDDc4CjEu0gUBPF3pCDMKMS7SBQg0CjG90gE7WegMMzkKMS7RBQgwCjG90Qg0CjEu0QUINQ" +
        "oxvdEMNjYKMb3RATpZUgwzMQoxLtEFCDIKMb3RoaW90qGlvdISSgvZZf6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/" +
        "6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/" +
        "6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/" +
        "6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/" +
        "6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/" +
        "6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/" +
        "6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/" +
        "6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/" +
        "6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC0KjCwAABlzAOEQKMDAwOmNvbm5lY3QtMAowMDEVDhQzMQowMDIVDxQ2MgowMDMVDx" +
        "Q5MwowMDQVDxQyNwowMDUVDxQ1OAowMDYVDxQ4OQowMDcVDwAyATwAOBUPFDU0CjAwORUPEDg1CjAxGZUQMTkKMDEZlhA1MAowMRmWEDgxCjAx" +
        "GZYAMQE8GZYQNDYKMDEZlhA3NwowMRmWADEBPBmWEDQyCjAxGZYQNzMKMDEZlgw3CjAyGZUQMzgKMDIZlRA2OQowMhmVDDMKMDIZlBAzNAowMh" +
        "mUEDY1CjAyGZQQOTYKMDIZlBAzMAowMhmUEDYxCjAyGZQQOTIKMDIZlBAyNgowMxmVEDU3CjAzGZUQODgKMDMZlRAyMgowMxmWEDUzCjAzGZYQ" +
        "ODQKMDMZlgAxATwZlhA0OQowMxmWEDgwCjAzGZYAMQE8GZYQNDUKMDQZlhA3NgowNBmWEDEwCjA0GZYQNDEKMDQZlhA3MgowNBmWATsZlRAzNw" +
        "owNBmVEDY4CjA0GZUBOhmUEDMzCjA0GZQQNjQKMDUZlBA5NQowNRmUEDI5CjA1GZQQNjAKMDUZlBA5MQowNRmUADIBPBmVEDU2CjA1GZUQODcK" +
        "MDUdlQE8GZYQNTIKMDUZlhA4MwowNhmWEDE3CjA2GZYQNDgKMDYZlhA3OQowNhmWADEBPBmWEDQ0CjA2GZYQNzUKMDYZlgE7GZUQNDAKMDYZlR" +
        "A3MQowNhmVDDUKMDcZlBAzNgowNxmUEDY3CjA3GZQMMQowNxmTEDMyCjA3GZMQNjMKMDcZkxA5NAowNxmTEDI4CjA3GZQQNTkKMDcZlBA5MAow" +
        "NxmUEDI0CjA4GZUQNTUKMDgZlRA4NgowOBmVEDIwCjA4GZYQNTEKMDgZlhA4MgowOBmWADEBPBmWEDQ3CjA4GZYQNzgKMDgZlgAxATwZlhA0Mw" +
        "owORmWEDc0CjA5HZYICjA5GZUQMzkKMDkZlRA3MAowORmVAToZlBAzNQowORmUEDY2CjA5GZQBOhmToaUAORmTDDYyCjG90Qw5MwoxvdIMMjcK" +
        "Mb3SDDU4CjG90gw4OQoxLtIFATwZlQw1NAoxLtIFCDUKMb3SADEBPBmWDDUwCjEu0gUIMQoxLtIFCDUKMb3SDDQ2CjG90gw3NwoxLtIFATw9Kg" +
        "gyCjEu0gUIMwoxvdIBOzkqDDM4CjG90Qw2OQoxvdEIMwoxLtEFCDQKMS7RBQg1CjG90Qw5NgoxLtIFCDAKMS7SBQgxCjEu0gUIMgoxvdIAMgE8" +
        "GZUMNTcKMb3SDDg4CjEu0gUIMgoxLtIFCDMKMS7SBQg0CjG90gwxOAoxvdIMNDkKMS7SBQgwCjEu0gUBPFlVDDQ1CjG90gw3NgoxLtIFATxZVg" +
        "w0MQoxLtIFCDIKMb3SCDYKMb3RDDM3CjG90Qw2OAoxvdEBOllUDDMzCjEu0QUINAoxvdEQOTUKMTRZVAwyOQoxLtIFCDAKMS7SBQgxCjEu0gUI" +
        "NQoxvdIMNTYKMb3SDDg3CjEu0gUBPBmWDDUyCjEu0gUIMwoxvdIAMQE8GZYMNDgKMb3SDDc5CjEu0gUIMwoxLtIFCDQKMS7SBQg1CjG90gE7Xe" +
        "kIMAoxLtEFCDEKMb3RATpZVAwzNgoxvdEMNjcKMb3RCDEKMS7RBQgyCjEu0QUIMwoxvdEMOTQKMb3SDDI4CjG90gw1OQoxLtIFCDAKMS7SBQE8" +
        "GZUMNTUKMb3SDDg2CjEu0gUIMAoxLtIFCDEKMS7SBQgyCjG90gwxNgoxvdIMNDcKMb3SDDc4CjEu0gUBPF3pCDMKMS7SBQg0CjG90gE7WegMMz" +
        "kKMS7RBQgwCjG90Qg0CjEu0QUINQoxvdEMNjYKMb3RATpZUgwzMQoxLtEFCDIKMb3RoaW90qGlvdISSgsAMCIdC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/" +
        "6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6jC/6j" +
        "C/6jC/6jC/6jC/6jC/6jCz6jCw==";

    public const string Lz4CliDefault =
        "BCJNGGRQCA8HAAD1AjAwMDpjb25uZWN0LTAKMDAxDgBlMzEKMDAyDwBlNjIKMDAzDwBlOTMKMDA0DwBlMjcKMDA1DwBlNTgKMDA2DwBlODkKMD" +
        "A3DwBlMjMKMDA4DwBlNTQKMDA5DwBWODUKMDGVAFYxOQowMZYAVjUwCjAxlgBWODEKMDGWAFYxNQowMZYAVjQ2CjAxlgBWNzcKMDGWAFYxMQow" +
        "MZYAZTQyCjAxOIcAVjczCjAxlgBGNwowMpUAVjM4CjAylQBWNjkKMDKVAEYzCjAylABWMzQKMDKUAFY2NQowMpQAVjk2CjAylABWMzAKMDKUAF" +
        "Y2MQowMpQAVjkyCjAylABWMjYKMDOVAFY1NwowM5UAVjg4CjAzlQBWMjIKMDOWAFY1MwowM5YAVjg0CjAzlgBWMTgKMDOWAFY0OQowM5YAVjgw" +
        "CjAzlgBWMTQKMDOWAFY0NQowNJYAVjc2CjA0lgBWMTAKMDSWAFY0MQowNJYAVjcyCjA0lgBGNgowNJUAVjM3CjA0lQBWNjgKMDSVAEYyCjA0lA" +
        "BWMzMKMDSUAFY2NAowNZQAVjk1CjA1lABlMjkKMDUy+gFWNjAKMDWUAFY5MQowNZQAVjI1CjA1lQBWNTYKMDWVAFc4NwowNZUARjEKMDWWAFY1" +
        "MgowNZYAVjgzCjA2lgBWMTcKMDaWAFY0OAowNpYAVjc5CjA2lgBWMTMKMDaWAFY0NAowNpYAVjc1CjA2lgBGOQowNpUAVjQwCjA2lQBWNzEKMD" +
        "aVAEY1CjA3lABWMzYKMDeUAFY2NwowN5QARjEKMDeTAFYzMgowN5MAVjYzCjA3kwBWOTQKMDeTAFYyOAowN5QAVjU5CjA3lABWOTAKMDeUAFYy" +
        "NAowOJUAVjU1CjA4lQBWODYKMDiVAFYyMAowOJYAVjUxCjA4lgBWODIKMDiWAFYxNgowOJYAVjQ3CjA4lgBWNzgKMDiWAFYxMgowOJYAVjQzCj" +
        "A5lgBXNzQKMDmWADYKMDmVAFYzOQowOZUAVjcwCjA5lQBGNAowOZQAVjM1CjA5lABWNjYKMDmUAEYwCjA5kwBWMzEKMDmTAEc2Mgox0QVHOTMK" +
        "MdIFRzI3CjHSBUc1OAox0gVWODkKMTCUAEgyMwox0gU4NAox0gU3NQox0gVWMTkKMTCWAEg1MAox0gU4MQox0gU3NQox0gVWNDYKMTEqAUg3Nw" +
        "ox0gU4MQox0gU4Mgox0gU3Mwox0gU3Nwox0QVHMzgKMdEFRzY5CjHRBTgzCjHRBTg0CjHRBTc1CjHRBUg5Ngox0gU4MAox0gU4MQox0gU3Mgox" +
        "0gVHMjYKMdIFRzU3CjHSBUg4OAox0gVGMgoxM1MCSDUzCjHSBTc0CjHSBUcxOAox0gVINDkKMdIFRjAKMTNVAkgxNAox0gVGNQoxM1UCSDc2Cj" +
        "HSBTgwCjHSBTgxCjHSBTcyCjHSBUY2CjE0vwFWMzcKMTTpAkc2OAox0QU4Mgox0QU4Mwox0QU3NAox0QVHOTUKMdIFSDI5CjHSBTgwCjHSBTgx" +
        "CjHSBTc1CjHSBUc1Ngox0gVIODcKMdIFODEKMdIFODIKMdIFNzMKMdIFRzE3CjHSBUc0OAox0gVINzkKMdIFODMKMdIFODQKMdIFNzUKMdIFOD" +
        "kKMdEFODAKMdEFNzEKMdEFNzUKMdEFRzM2CjHRBUc2Nwox0QU4MQox0QU4Mgox0QU3Mwox0QVHOTQKMdIFRzI4CjHSBUg1OQox0gU4MAox0gU4" +
        "NAox0gU3NQox0gVIODYKMdIFODAKMdIFODEKMdIFNzIKMdIFRzE2CjHSBUc0Nwox0gVXNzgKMTjpAjgyCjHSBTgzCjHSBTc0CjHSBUY4CjE4Pg" +
        "VIMzkKMdEFNzAKMdEFODQKMdEFNzUKMdEFRzY2CjHRBTgwCjHRBTgxCjHRBTcyCjHRBUc5Mwox0gVHMjcKMdIFPzU4CqML////////////////" +
        "//////////////////////////////////////////////////////////////////////////////////////////////////////////////" +
        "//////////////////////////////////////////////////////////////////////////////////////////////////////////////" +
        "//////////////////////////////////////////////////////////////////////////////////////////////////////////////" +
        "////////////////////////////////////////////////////////////////////////////////////////////////////////+xUHQt" +
        "NTgKAAAAAGXzptI=";

    public const string Lz4CliLinkedBlockChecksumContentSize =
        "BCJNGFxAGl0BAAAAAAC3sgYAAPUCMDAwOmNvbm5lY3QtMAowMDEOAGUzMQowMDIPAGU2MgowMDMPAGU5MwowMDQPAGUyNwowMDUPAGU1OAowMD" +
        "YPAGU4OQowMDcPAGUyMwowMDgPAGU1NAowMDkPAFY4NQowMZUAVjE5CjAxlgBWNTAKMDGWAFY4MQowMZYAVjE1CjAxlgBWNDYKMDGWAFY3Nwow" +
        "MZYAVjExCjAxlgBlNDIKMDE4hwBWNzMKMDGWAEY3CjAylQBWMzgKMDKVAFY2OQowMpUARjMKMDKUAFYzNAowMpQAVjY1CjAylABWOTYKMDKUAF" +
        "YzMAowMpQAVjYxCjAylABWOTIKMDKUAFYyNgowM5UAVjU3CjAzlQBWODgKMDOVAFYyMgowM5YAVjUzCjAzlgBWODQKMDOWAFYxOAowM5YAVjQ5" +
        "CjAzlgBWODAKMDOWAFYxNAowM5YAVjQ1CjA0lgBWNzYKMDSWAFYxMAowNJYAVjQxCjA0lgBWNzIKMDSWAEY2CjA0lQBWMzcKMDSVAFY2OAowNJ" +
        "UARjIKMDSUAFYzMwowNJQAVjY0CjA1lABWOTUKMDWUAGUyOQowNTL6AVY2MAowNZQAVjkxCjA1lABWMjUKMDWVAFY1NgowNZUAVzg3CjA1lQBG" +
        "MQowNZYAVjUyCjA1lgBWODMKMDaWAFYxNwowNpYAVjQ4CjA2lgBWNzkKMDaWAFYxMwowNpYAVjQ0CjA2lgBWNzUKMDaWAEY5CjA2lQBWNDAKMD" +
        "aVAFY3MQowNpUARjUKMDeUAFYzNgowN5QAVjY3CjA3lABGMQowN5MAVjMyCjA3kwBWNjMKMDeTAFY5NAowN5MAVjI4CjA3lABWNTkKMDeUAFY5" +
        "MAowN5QAVjI0CjA4lQBWNTUKMDiVAFY4NgowOJUAVjIwCjA4lgBWNTEKMDiWAFY4MgowOJYAVjE2CjA4lgBWNDcKMDiWAFY3OAowOJYAVjEyCj" +
        "A4lgBWNDMKMDmWAFc3NAowOZYANgowOZUAVjM5CjA5lQBWNzAKMDmVAEY0CjA5lABWMzUKMDmUAFY2NgowOZQARjAKMDmTAFYzMQowOZMARzYy" +
        "CjHRBUc5Mwox0gVHMjcKMdIFRzU4CjHSBVY4OQoxMJQASDIzCjHSBTg0CjHSBTc1CjHSBVYxOQoxMJYASDUwCjHSBTgxCjHSBTc1CjHSBVY0Ng" +
        "oxMSoBSDc3CjHSBTgxCjHSBTgyCjHSBTczCjHSBTc3CjHRBUczOAox0QVHNjkKMdEFODMKMdEFODQKMdEFNzUKMdEFSDk2CjHSBTgwCjHSBTgx" +
        "CjHSBTcyCjHSBUcyNgox0gVHNTcKMdIFSDg4CjHSBUYyCjEzUwJINTMKMdIFNzQKMdIFRzE4CjHSBUg0OQox0gVGMAoxM1UCSDE0CjHSBUY1Cj" +
        "EzVQJINzYKMdIFODAKMdIFODEKMdIFNzIKMdIFRjYKMTS/AVYzNwoxNOkCRzY4CjHRBTgyCjHRBTgzCjHRBTc0CjHRBUc5NQox0gVIMjkKMdIF" +
        "ODAKMdIFODEKMdIFNzUKMdIFRzU2CjHSBUg4Nwox0gU4MQox0gU4Mgox0gU3Mwox0gVHMTcKMdIFRzQ4CjHSBUg3OQox0gU4Mwox0gU4NAox0g" +
        "U3NQox0gU4OQox0QU4MAox0QU3MQox0QU3NQox0QVHMzYKMdEFRzY3CjHRBTgxCjHRBTgyCjHRBTczCjHRBUc5NAox0gVHMjgKMdIFSDU5CjHS" +
        "BTgwCjHSBTg0CjHSBTc1CjHSBUg4Ngox0gU4MAox0gU4MQox0gU3Mgox0gVHMTYKMdIFRzQ3CjHSBVc3OAoxOOkCODIKMdIFODMKMdIFNzQKMd" +
        "IFRjgKMTg+BUgzOQox0QU3MAox0QU4NAox0QU3NQox0QVHNjYKMdEFODAKMdEFODEKMdEFNzIKMdEFRzkzCjHSBUcyNwox0gU/NTgKowv/////" +
        "//////////////////////////////////////////////////////////////////////////////////////////////////////////////" +
        "//////////////////////////////////////////////////////////////////////////////////////////////////////////////" +
        "/////////////////////////////////////////////////////////////////////////////////////////////////////zpQZWN0LT" +
        "W89tdDZwAAAA9f9P//////////////////////////////////////////////////////////////////////////////////////////////" +
        "/////////////////////////////19QdC01OAo1H2ECAAAAAGXzptI=";

    public const string Lz4CliIndependentNoChecksum =
        "BCJNGGBAgqYGAAD1AjAwMDpjb25uZWN0LTAKMDAxDgBlMzEKMDAyDwBlNjIKMDAzDwBlOTMKMDA0DwBlMjcKMDA1DwBlNTgKMDA2DwBlODkKMD" +
        "A3DwAQMjwAFTgPAGU1NAowMDkPAFY4NQowMZUAVjE5CjAxlgBWNTAKMDGWAFY4MQowMZYAEDE8AAaWAFY0NgowMZYAVjc3CjAxlgAQMTwABpYA" +
        "VjQyCjAxlgBWNzMKMDGWAEY3CjAylQBWMzgKMDKVAFY2OQowMpUARjMKMDKUAFYzNAowMpQAVjY1CjAylABWOTYKMDKUAFYzMAowMpQAVjYxCj" +
        "AylABWOTIKMDKUAFYyNgowM5UAVjU3CjAzlQBWODgKMDOVAFYyMgowM5YAVjUzCjAzlgBWODQKMDOWABAxPAAGlgBWNDkKMDOWAFY4MAowM5YA" +
        "EDE8AAaWAFY0NQowNJYAVjc2CjA0lgBWMTAKMDSWAFY0MQowNJYAVjcyCjA0lgAAOwAGlQBWMzcKMDSVAFY2OAowNJUAADoABpQAVjMzCjA0lA" +
        "BWNjQKMDWUAFY5NQowNZQAVjI5CjA1lABWNjAKMDWUAFY5MQowNZQAEDI8ABU1rgJWNTYKMDWVAFc4NwowNZUAADwABpYAVjUyCjA1lgBWODMK" +
        "MDaWAFYxNwowNpYAVjQ4CjA2lgBWNzkKMDaWABAxPAAGlgBWNDQKMDaWAFY3NQowNpYAADsABpUAVjQwCjA2lQBWNzEKMDaVAEY1CjA3lABWMz" +
        "YKMDeUAFY2NwowN5QARjEKMDeTAFYzMgowN5MAVjYzCjA3kwBWOTQKMDeTAFYyOAowN5QAVjU5CjA3lABWOTAKMDeUAFYyNAowOJUAVjU1CjA4" +
        "lQBWODYKMDiVAFYyMAowOJYAVjUxCjA4lgBWODIKMDiWABAxPAAGlgBWNDcKMDiWAFY3OAowOJYAEDE8AAaWAFY0MwowOZYAVzc0CjA5lgA2Cj" +
        "A5lQBWMzkKMDmVAFY3MAowOZUAADoABpQAVjM1CjA5lABWNjYKMDmUAAA6AAaTAAClBRY5kwBHNjIKMdEFRzkzCjHSBUcyNwox0gVHNTgKMdIF" +
        "SDg5CjHSBQA8AAaVAEg1NAox0gU3NQox0gUQMTwABpYASDUwCjHSBTgxCjHSBTc1CjHSBUc0Ngox0gVINzcKMdIFADwAByoBODIKMdIFNzMKMd" +
        "IFADsABioBVjM4CjExlQBWNjkKMTErATgzCjHRBTg0CjHRBTc1CjHRBVY5NgoxMr4BSDMwCjHSBUYxCjEyKgFHOTIKMdIFEDI8AAaVAEc1Nwox" +
        "0gVIODgKMdIFODIKMdIFODMKMdIFNzQKMdIFRzE4CjHSBUg0OQox0gU4MAox0gUAPAAGVQJHNDUKMdIFSDc2CjHSBQA8AAYrAUg0MQox0gU3Mg" +
        "ox0gU3Ngox0QVHMzcKMdEFRzY4CjHRBQA6AAYqAUgzMwox0QU3NAox0QVWOTUKMTS/AUgyOQox0gU4MAox0gU4MQox0gU3NQox0gVHNTYKMdIF" +
        "SDg3CjHSBQA8AAaWAEg1Mgox0gU3Mwox0gUQMTwABpYARzQ4CjHSBUg3OQox0gU4Mwox0gU4NAox0gU3NQox0gUAOwAH6QI4MAox0QU3MQox0Q" +
        "UAOgAGVAJHMzYKMdEFRzY3CjHRBTgxCjHRBTgyCjHRBTczCjHRBUc5NAox0gVHMjgKMdIFSDU5CjHSBTgwCjHSBQA8AAaVAEc1NQox0gVIODYK" +
        "MdIFODAKMdIFODEKMdIFNzIKMdIFRzE2CjHSBUc0Nwox0gVINzgKMdIFADwAFTagB0g0Mwox0gU3NAox0gUAOwAG6AJIMzkKMdEFNzAKMdEFOD" +
        "QKMdEFNzUKMdEFRzY2CjHRBQA6AAZSAkgzMQox0QU3Mgox0QUApQUWOVICAKUFB9IFAUoLBmUGD6ML////////////////////////////////" +
        "//////////////////////////////////////////////////////////////////////////////////////////////////////////////" +
        "//////////////////////////////////////////////////////////////////////////////////////////////////////////////" +
        "//////////////////////////////////////////////////////////////////////////8uUGVjdC01BQYAAPUEOAowMDA6Y29ubmVjdC" +
        "0wCjAwMQ4AZTMxCjAwMg8AZTYyCjAwMw8AZTkzCjAwNA8AZTI3CjAwNQ8AEDVZABU2DwBlODkKMDA3DwAQMjwAFTgPAGU1NAowMDkPAFY4NQow" +
        "MZUAVjE5CjAxlgBWNTAKMDGWAFY4MQowMZYAEDE8AAaWAFY0NgowMZYAVjc3CjAxlgAQMTwABpYAVjQyCjAxlgBWNzMKMDGWAEY3CjAylQBWMz" +
        "gKMDKVAFY2OQowMpUARjMKMDKUAFYzNAowMpQAVjY1CjAylABWOTYKMDKUAFYzMAowMpQAVjYxCjAylABWOTIKMDKUAFYyNgowM5UAVjU3CjAz" +
        "lQBWODgKMDOVAFYyMgowM5YAVjUzCjAzlgBWODQKMDOWABAxPAAGlgBWNDkKMDOWAFY4MAowM5YAEDE8AAaWAFY0NQowNJYAVjc2CjA0lgBWMT" +
        "AKMDSWAFY0MQowNJYAVjcyCjA0lgAAOwAGlQBWMzcKMDSVAFY2OAowNJUAADoABpQAVjMzCjA0lABWNjQKMDWUAFY5NQowNZQAVjI5CjA1lABW" +
        "NjAKMDWUAFY5MQowNZQAEDI8ABU1rgJWNTYKMDWVAFc4NwowNZUAADwABpYAVjUyCjA1lgBWODMKMDaWAFYxNwowNpYAVjQ4CjA2lgBWNzkKMD" +
        "aWABAxPAAGlgBWNDQKMDaWAFY3NQowNpYAADsABpUAVjQwCjA2lQBWNzEKMDaVAEY1CjA3lABWMzYKMDeUAFY2NwowN5QARjEKMDeTAFYzMgow" +
        "N5MAVjYzCjA3kwBWOTQKMDeTAFYyOAowN5QAVjU5CjA3lABWOTAKMDeUAFYyNAowOJUAVjU1CjA4lQBWODYKMDiVAFYyMAowOJYAVjUxCjA4lg" +
        "BWODIKMDiWABAxPAAGlgBWNDcKMDiWAFY3OAowOJYAEDE8AAaWAFY0MwowOZYAVzc0CjA5lgA2CjA5lQBWMzkKMDmVAFY3MAowOZUAADoABpQA" +
        "VjM1CjA5lABWNjYKMDmUAAA6AAaTAAClBRY5kwBHNjIKMdEFRzkzCjHSBUcyNwox0gVHNTgKMdIFSDg5CjHSBQA8AAaVAFY1NAoxMJUARzg1Cj" +
        "HSBRAxPAAGlgBINTAKMdIFODEKMdIFNzUKMdIFRzQ2CjHSBUg3Nwox0gUAPAAHKgE4Mgox0gU3Mwox0gUAOwAGKgFWMzgKMTGVAFY2OQoxMSsB" +
        "ODMKMdEFODQKMdEFNzUKMdEFVjk2CjEyvgFIMzAKMdIFRjEKMTIqAUc5Mgox0gUQMjwABpUARzU3CjHSBUg4OAox0gU4Mgox0gU4Mwox0gU3NA" +
        "ox0gVHMTgKMdIFSDQ5CjHSBTgwCjHSBQA8AAbAAUc0NQox0gVINzYKMdIFADwABisBSDQxCjHSBTcyCjHSBTc2CjHRBUczNwox0QVHNjgKMdEF" +
        "ADoABioBSDMzCjHRBTc0CjHRBVY5NQoxNL8BSDI5CjHSBTgwCjHSBTgxCjHSBTc1CjHSBUc1Ngox0gVIODcKMdIFADwABpYASDUyCjHSBTczCj" +
        "HSBRAxPAAGlgBHNDgKMdIFSDc5CjHSBTgzCjHSBTg0CjHSBTc1CjHSBQA7AAfpAjgwCjHRBTcxCjHRBQA6AAZUAkczNgox0QVHNjcKMdEFODEK" +
        "MdEFODIKMdEFNzMKMdEFRzk0CjHSBUcyOAox0gVINTkKMdIFODAKMdIFADwABpUARzU1CjHSBUg4Ngox0gU4MAox0gU4MQox0gU3Mgox0gVHMT" +
        "YKMdIFRzQ3CjHSBUg3OAox0gUAPAAVNqAHSDQzCjHSBTc0CjHSBQA7AAboAkgzOQox0QU3MAox0QU4NAox0QU3NQox0QVHNjYKMdEFADoABlIC" +
        "SDMxCjHRBTcyCjHRBQClBRY5UgIApQUH0gUBSgsGZQYPowv///////////////////////////////////////////////////////////////" +
        "////////////////////////////////////////////+iUHQtNTgKAAAAAA==";

    public const string ZstdCliWithContentSize =
        "KLUv/aAaXQEAhREAlnVfFKCloDkIzflU1VnfS0tLNmBVE08IXwBaAFYA84SHEX4VPidcSHiE8DvhRsIrgkcI3gpOCV4hOFXwkeASPFTwk+ChXO" +
        "zKY6y8rXIzKq+ZcqqU96Kc1PJQltMF8qEjlzDycEV+ROQWQy5ByKOCvFJyAhQMBAYGCAYBJANxvMd5vI7T8TFO44GMXxgf42I8jNe4GS/jVLzF" +
        "WTwUJys+U1xaPFjxm+LW4nLEg4g3iNsRLyJOQbyBOIt4COIUiE8NFxkew6+Gmwyv4WHDO8PZ4WXDaYRPhQG9rFOfzh6mX/t06dHvulGv6NHb2S" +
        "tEp+gTXdpDtZ+0W7u0R3vbrb3aqb3sZA9lJ/ZhF/Zw7Efsxi7sEXgDZ+BVgZMEHjgt8CCBX+ATuByP42fH7XgdD92iS+jR29mrOvXp7EH69enS" +
        "o591m17t0dvZ6zr16eyB+kWf0KVHb7fqJZ16O3vo1KdLD9ZvurVLj95u14s6BfUG6qzpIaZT6NOlR7/qJr169HYGgMqoIQQ9Gb7eAbCjkqQDEk" +
        "gQkOGCff///ztoUaYLzDrQNKbVUZcFjh0EdbQWqDn4RT41UXUx2uUPQVPHPL/skWNcqyPiwwtpEgGlrtwCTRzppZ3YqwBUJ8OlHr+CX0Xv9eeu" +
        "2xsshsCH+yrIU5wHbOUjLQZ8Lrs45oKMxN7ubm3PtpQtuH8v/LxMTmZGJTMiBhOTkTm5vInFvHNTnDM+vFvahd3Dcee6CcXFOjUitgo=";

    public const string ZstdCliStreamedNoContentSize =
        "KLUv/QRYVREAJjVeFKCloDkIzflU1VnfS0tLNmBVE08IXgBZAFUAJzyM8KvwOeFCwiOE3wk3El4RPELwVnBK8ArBqYKPBJfgoYKfBA/lYlceY+" +
        "VtlZtRec2UU6W8F+WkloeynC6QDx25hJGHK/IjIrcYcglCHhXklZIToGAgMDBAMAggGT3O43Wcjo9xGg9k/ML4GBfjYbzGzXgZp+ItzuKhOFnx" +
        "meLS4sGK3xS3FpcjHkS8QdyOeBFxCuINxFnEQxCnQHxquMjwGH413GR4DQ8b3hnODi8bTiN8KpwB1Kezh+nXPl169Ltu1Ct69Hb2CtEp+kSX9l" +
        "DtJ+3WLu3R3nZrr3ZqLzvZQ9mJfdiFPRz7EbuxC3sE3sAZeFXgJIEHTgs8SOAX+AQux+P42XE7XsfjeN2iS+jR29mrOvXp7EH69enSo591m17t" +
        "0dvZ6zr16eyB+kWf0KVHb7fqJZ16O3vo1KdLD9ZvurVLj95u14s69Xb2EJ1Cny49+lU36dWjt7OX9YDKqCEEQRm+3gGwo5KkAxJIEJDBgn3///" +
        "87aFGmC5gCoGlMqyOshsIJgDoDUGDcI9iUKq7uvRp+BwDqAkCBcY/gR5+ouvVvOE6dkBho9GRyhoQkANUFg1IILH8iiYxyz163EWwMgd+XqxB9" +
        "5vID6FNcsiIZdnucC3O1GJmrhXjYkqzBkkthwKw2ImeVZgoFYiirigcvEGIYbb60E7qH4851s7gzbnhfQrtYoYbPVgGdcTcp";

    public const string GzipCli =
        "H4sIAAAAAAACA+3WQaokNxQF0XnvxVAvU0qlvJ3G0+6J949DHtS73oKJYUIJrv4Xwfl8Pn/+/P3r118///7j8+Pzqe/XXXxe38/n4vP+fu6bz/" +
        "H9vBaf8/s5Xz6f7+e7+Vz943P27R8PPnf/eP74VI8qzlavmoysXvUysnpVnbO9ajx89qrFyOpVdc72qsEFq1ctRlav4ujVo27ud/Woh41Xj+Lk" +
        "1Zturnf1poeJV2/aTLx60831rt70MPHqTZuJV2+6OHv3qMnGu0e9bLx71MXZu1dNRt696mXk3avqnO1Vg/vdvepl5N2r6pztVYMLjl61GDl6VX" +
        "F29KrBBUevWowc8bfiq0fd3G/0qIeNIx4VX73p5nqjNz1MnL1pM3H2povrzXjpTJzx0pk446Wfs/HS2TjjpbNxxqhzNl46I2e8dEY+8dI5+/Sq" +
        "wf2eXrUY+cRLP2fjpXPBJ146I59edY7GQ+d+Tzx0Nj49ipMrHjrXW/HQmbh6EydXPHRut+Kfx8IVD52Fqydd3G71psnEFQ+diSseOmffeOhsfO" +
        "Ohs/GNh87ZNx46I9946Ix846Gfs/HQud/bqxYj33jo52w8dC6446EzcscqviIJ3G/HO2fjjv8eX/HOud6Od87EvTLS+/1PpPfOSFcEnUhXFJ1I" +
        "VxSdSFcUnUhXFv2cnRnpyqJPPldGurLoHz53Rrqy6JyNohPpiqIT6cqin7MjI11ZdEZG0c/RlZGuCDqRrgg6JzPoXC+DzsQIOpGuLDrXy6IzMY" +
        "vOxCj6dc6ujHRF0Yl0ZdE5m0VnZBadkVF0Il1RdCJdWXRGZtHP2ScjXVF0Il1Z9HN2Z6Qri87IKDpHI+hEuiLoRLoi6OfkzEhXBp2JEXQiXVF0" +
        "Il1ZdCZm0ZmYRedsFJ1IVxSdSFcW/ZydGenKojMyil7n7JuRrig6ka4sOmez6Fwwi87IKPo5OjLSlUFnYwT9nFwZ6YqgE+mKoHMyg87tMugsjK" +
        "AT6YqiE+mKohPpyqIzMYt+zq6MdEXRiXRl0TmbRWdkFp2RUXQiXVF0Il1RdCJdWfRz9slIVxadkVH0c3RnpCuDzsYIOicz6Fwvgk6kK4J+Ts6M" +
        "dGXQWRhBP5GOop9IR9H/lbREl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtEluk" +
        "SX6BJdokt0iS7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJd" +
        "okt0iS7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS" +
        "7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpE" +
        "l+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpEl+gSXa" +
        "JLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpEl+gSXaJLdIku" +
        "0SW6RJfoEl2iS3SJLtElukSX6BJdokt0iS7RJbpEl+gSXaJLdIku0SW6RJfoEl2iS3SJLtElukSX6BJdokt0if6/Jfo/3am8qRpdAQA=";
}
