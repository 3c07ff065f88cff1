namespace KafkaConnect.Protocol.Tests;

public sealed class ProtocolReaderWriterTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static byte[] Written(Action<ProtocolWriter> write)
    {
        using var w = new ProtocolWriter(1);
        write(w);
        return w.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(0u, "00")]
    [InlineData(127u, "7f")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "ac02")]
    [InlineData(uint.MaxValue, "ffffffff0f")]
    public void UnsignedVarInt(uint value, string hex)
    {
        Assert.Equal(Hex(hex), Written(w => w.WriteUnsignedVarInt(value)));
        var r = new ProtocolReader(Hex(hex));
        Assert.Equal(value, r.ReadUnsignedVarInt());
        Assert.True(r.End);
        Assert.Equal(hex.Length / 2, ProtocolWriter.SizeOfUnsignedVarInt(value));
    }

    [Fact]
    public void VarIntLongerThanFiveBytesIsRejected()
    {
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("ffffffffff01")).ReadUnsignedVarInt());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("ffffffffffffffffffff01")).ReadUnsignedVarLong());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("ff")).ReadUnsignedVarInt());
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(-64, "7f")]
    [InlineData(64, "8001")]
    [InlineData(int.MaxValue, "feffffff0f")]
    [InlineData(int.MinValue, "ffffffff0f")]
    public void ZigZagVarInt(int value, string hex)
    {
        Assert.Equal(Hex(hex), Written(w => w.WriteVarInt(value)));
        Assert.Equal(value, new ProtocolReader(Hex(hex)).ReadVarInt());
        Assert.Equal(hex.Length / 2, ProtocolWriter.SizeOfVarInt(value));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(1234567890123L)]
    public void ZigZagVarLong(long value)
    {
        var bytes = Written(w => w.WriteVarLong(value));
        Assert.Equal(ProtocolWriter.SizeOfVarLong(value), bytes.Length);
        var r = new ProtocolReader(bytes);
        Assert.Equal(value, r.ReadVarLong());
        Assert.True(r.End);
    }

    [Fact]
    public void ArrayLengths()
    {
        Assert.Equal(-1, new ProtocolReader(Hex("ffffffff")).ReadArrayLength());
        Assert.Equal(-1, new ProtocolReader(Hex("00")).ReadCompactArrayLength());
        Assert.Equal(0, new ProtocolReader(Hex("01")).ReadCompactArrayLength());
        // Negative lengths other than -1, and counts larger than the bytes left, are malformed.
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("fffffffe")).ReadArrayLength());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("80000000")).ReadArrayLength());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("00000005 0000")).ReadArrayLength());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("ffffffff0f")).ReadCompactArrayLength());
        Assert.Equal(Hex("00"), Written(w => w.WriteCompactArrayLength(-1)));
        Assert.Equal(Hex("ffffffff"), Written(w => w.WriteArrayLength(-1)));
    }

    [Fact]
    public void Strings()
    {
        Assert.Null(new ProtocolReader(Hex("ffff")).ReadNullableString());
        Assert.Null(new ProtocolReader(Hex("00")).ReadCompactNullableString());
        Assert.Equal("", new ProtocolReader(Hex("01")).ReadCompactNullableString());
        Assert.Equal("é", new ProtocolReader(Hex("0002 c3a9")).ReadString());
        Assert.Equal(Hex("03 c3a9"), Written(w => w.WriteCompactString("é")));
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("ffff")).ReadString());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("00")).ReadCompactString());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("0005 6162")).ReadString());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("0002 c328")).ReadString());
    }

    [Fact]
    public void HugeLengthsAreProtocolErrorsNotOverflows()
    {
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("ffffffff0f")).ReadCompactNullableBytes());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("ffffffff0f")).ReadRecords(true));
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("ffffffff0f")).SkipTaggedField());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("7fffffff 00")).ReadBytes());
    }

    [Fact]
    public void BytesAndRecords()
    {
        Assert.Null(new ProtocolReader(Hex("ffffffff")).ReadNullableBytes());
        Assert.Null(new ProtocolReader(Hex("00")).ReadRecords(true));
        Assert.Equal(Hex("0102"), new ProtocolReader(Hex("03 0102")).ReadCompactBytes());
        Assert.Equal(Hex("00000002 0102"), Written(w => w.WriteBytes(Hex("0102"))));
        Assert.Equal(Hex("00"), Written(w => w.WriteRecords(null, true)));
        Assert.Equal(Hex("ffffffff"), Written(w => w.WriteRecords(null, false)));
    }

    [Fact]
    public void TaggedFieldSectionsCanBeSkipped()
    {
        var r = new ProtocolReader(Hex("02 00 01 aa 05 02 bbcc 7f"));
        r.SkipTaggedFields();
        Assert.Equal(0x7f, r.ReadUInt8());
        Assert.True(r.End);
    }

    [Fact]
    public void WriterGrowsAndResets()
    {
        using var w = new ProtocolWriter(1);
        for (var i = 0; i < 10_000; i++) w.WriteInt32(i);
        Assert.Equal(40_000, w.Position);
        var r = new ProtocolReader(w.WrittenMemory);
        for (var i = 0; i < 10_000; i++) Assert.Equal(i, r.ReadInt32());
        w.Reset();
        Assert.Equal(0, w.Position);
    }

    [Fact]
    public void FixedWidthPrimitivesAreBigEndian()
    {
        var bytes = Written(w =>
        {
            w.WriteInt16(0x0102);
            w.WriteUInt16(0xfffe);
            w.WriteInt32(-2);
            w.WriteUInt32(0x80000000);
            w.WriteInt64(0x0102030405060708);
            w.WriteFloat64(1.5);
            w.WriteUuid(new Uuid(1, 2));
        });
        Assert.Equal(Hex("0102 fffe fffffffe 80000000 0102030405060708 3ff8000000000000 0000000000000001 0000000000000002"), bytes);
        var r = new ProtocolReader(bytes);
        Assert.Equal(0x0102, r.ReadInt16());
        Assert.Equal(0xfffe, r.ReadUInt16());
        Assert.Equal(-2, r.ReadInt32());
        Assert.Equal(0x80000000, r.ReadUInt32());
        Assert.Equal(0x0102030405060708, r.ReadInt64());
        Assert.Equal(1.5, r.ReadFloat64());
        Assert.Equal(new Uuid(1, 2), r.ReadUuid());
        Assert.Throws<ProtocolException>(() => new ProtocolReader(Hex("0102")).ReadInt32());
    }
}
