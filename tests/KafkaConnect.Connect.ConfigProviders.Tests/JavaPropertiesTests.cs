namespace KafkaConnect.Connect.ConfigProviders.Tests;

public sealed class JavaPropertiesTests
{
    [Fact]
    public void ParsesSeparatorsCommentsAndWhitespace()
    {
        var props = JavaProperties.Parse(
            "# comment\n! also a comment\n\n  a=1\nb : 2\nc 3\nd\t=\t4  \ne=\nf\n g = x = y\n");
        Assert.Equal("1", props["a"]);
        Assert.Equal("2", props["b"]);
        Assert.Equal("3", props["c"]);
        Assert.Equal("4  ", props["d"]); // trailing whitespace is kept, as in Java
        Assert.Equal("", props["e"]);
        Assert.Equal("", props["f"]);
        Assert.Equal("x = y", props["g"]);
        Assert.Equal(7, props.Count);
    }

    [Fact]
    public void HandlesContinuationsAndEscapes()
    {
        var props = JavaProperties.Parse(
            "long = one \\\n      two \\\r\n  three\nkey\\ with\\=sep = v\\tal\\u00e9\\\\\npath=C:\\\\dir\\\\x\nodd=a\\\\\\\nb\r\nlast=end\\");
        Assert.Equal("one two three", props["long"]);
        Assert.Equal("v\talé\\", props["key with=sep"]);
        Assert.Equal("C:\\dir\\x", props["path"]);
        Assert.Equal("a\\b", props["odd"]);
        Assert.Equal("end", props["last"]);
    }

    [Fact]
    public void CommentsDoNotContinueAndLaterKeysWin()
    {
        var props = JavaProperties.Parse("# comment \\\nk=1\rk=2");
        Assert.Equal("2", props["k"]);
        Assert.Single(props);
    }

    [Fact]
    public void MalformedUnicodeEscapeFailsWithoutQuotingContent()
    {
        var e = Assert.Throws<FormatException>(() => JavaProperties.Parse("secret=hunter2\\u12"));
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }
}
