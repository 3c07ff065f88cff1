using System.Text;

namespace KafkaConnect.ProtocolGen;

/// <summary>A StringBuilder that tracks indentation and always writes '\n' line ends (stable output on every OS).</summary>
internal sealed class CodeBuilder
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public CodeBuilder Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    public CodeBuilder Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return this;
    }

    public CodeBuilder Open()
    {
        Line("{");
        _indent++;
        return this;
    }

    public CodeBuilder Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    public override string ToString() => _sb.ToString();
}
