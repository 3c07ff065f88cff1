using System.Globalization;
using System.Text;

namespace KafkaConnect.Schemas.Protobuf;

/// <summary>
/// Our .proto text parser: syntax, package, imports, messages (nested), enums, fields with labels, maps, oneofs, proto3
/// <c>optional</c> and the <c>(confluent.field_meta)</c> option; other options, reserved ranges, extensions, extend
/// blocks and services are read past. Type names resolve by protobuf's scoping rules, across the file and its imports
/// (references, or the known types built in). Refuses what protoc refuses (reused field numbers and names, required
/// fields in proto3, groups, empty enums) with protoc's messages, which name the line. Written instead of using
/// protobuf-net.Reflection, whose assemblies carry reflection paths the native (AOT) build would have to be told to ignore.
/// </summary>
internal static class ProtoTextParser
{
    private sealed record PendingField(ProtoMessage Owner, string Scope, string Name, int Number, string TypeName, bool Repeated, string? Label,
        bool Proto3Optional, int OneofIndex, IReadOnlyList<KeyValuePair<string, string>> Params, string? Doc, int Line);

    private static readonly Dictionary<string, ProtoType> Scalars = new(StringComparer.Ordinal)
    {
        ["double"] = ProtoType.Double, ["float"] = ProtoType.Float, ["int64"] = ProtoType.Int64, ["uint64"] = ProtoType.UInt64,
        ["int32"] = ProtoType.Int32, ["fixed64"] = ProtoType.Fixed64, ["fixed32"] = ProtoType.Fixed32, ["bool"] = ProtoType.Bool,
        ["string"] = ProtoType.String, ["bytes"] = ProtoType.Bytes, ["uint32"] = ProtoType.UInt32, ["sfixed32"] = ProtoType.SFixed32,
        ["sfixed64"] = ProtoType.SFixed64, ["sint32"] = ProtoType.SInt32, ["sint64"] = ProtoType.SInt64,
    };

    /// <summary>Parses the text into the parser's table, then its imports, then resolves the file's field types; returns the file.</summary>
    public static ProtoFile Read(ProtoParser parser, string text, bool undefinedWellKnown)
    {
        var pending = new List<PendingField>();
        var file = new Reader(text, parser.Types, pending).File(out var imports);
        foreach (var import in imports)
        {
            parser.AddImport(import);
        }
        var wellKnown = undefinedWellKnown && imports.Any(i => i.StartsWith("google/protobuf/", StringComparison.Ordinal));
        foreach (var field in pending)
        {
            Resolve(parser.Types, field, wellKnown);
        }
        return file;
    }

    // Protobuf scoping: the innermost enclosing scope first, then outwards; a leading dot means fully qualified.
    private static void Resolve(ProtoTypeTable table, PendingField f, bool wellKnown)
    {
        ProtoType type;
        string? typeName = null;
        if (Scalars.TryGetValue(f.TypeName, out var scalar))
        {
            type = scalar;
        }
        else
        {
            typeName = FindType(table, f.Scope, f.TypeName);
            if (typeName is null && wellKnown && f.TypeName.TrimStart('.').StartsWith(ProtoParser.WellKnownPrefix, StringComparison.Ordinal))
            {
                typeName = f.TypeName.TrimStart('.'); // a well-known type the registry has built in
            }
            type = typeName is null ? throw new SchemaParseException(f.Line, $"\"{f.TypeName}\" is not defined.")
                : table.Enums.ContainsKey(typeName) ? ProtoType.Enum : ProtoType.Message;
        }
        var field = new ProtoField
        {
            Name = f.Name,
            Number = f.Number,
            Type = type,
            TypeName = typeName,
            Repeated = f.Repeated,
            Label = f.Label,
            Proto3Optional = f.Proto3Optional,
            OneofIndex = f.OneofIndex,
            Params = f.Params,
            Doc = f.Doc,
        };
        f.Owner.Fields.Add(field);
        f.Owner.ByNumber[field.Number] = field;
    }

    private static string? FindType(ProtoTypeTable table, string scope, string name)
    {
        if (name.StartsWith('.'))
        {
            var full = name[1..];
            return table.Messages.ContainsKey(full) || table.Enums.ContainsKey(full) ? full : null;
        }
        var current = scope;
        while (true)
        {
            var candidate = current.Length == 0 ? name : current + "." + name;
            if (table.Messages.ContainsKey(candidate) || table.Enums.ContainsKey(candidate))
            {
                return candidate;
            }
            if (current.Length == 0)
            {
                return null;
            }
            var dot = current.LastIndexOf('.');
            current = dot < 0 ? "" : current[..dot];
        }
    }

    private sealed class Reader(string text, ProtoTypeTable table, List<PendingField> pending)
    {
        private int _position;
        private int _line = 1;
        private bool _proto3;

        public ProtoFile File(out List<string> imports)
        {
            imports = [];
            string? package = null;
            var messages = new List<ProtoMessage>();
            while (Peek() is { } token)
            {
                switch (token)
                {
                    case "syntax":
                        Next();
                        Expect("=");
                        _proto3 = String() == "proto3";
                        Expect(";");
                        break;
                    case "edition":
                        SkipStatement();
                        break;
                    case "package":
                        Next();
                        package = Word();
                        Expect(";");
                        break;
                    case "import":
                        Next();
                        if (Peek() is "public" or "weak")
                        {
                            Next();
                        }
                        imports.Add(String());
                        Expect(";");
                        break;
                    case "message":
                        Next();
                        messages.Add(Message(package ?? "", Identifier()));
                        break;
                    case "enum":
                        Next();
                        var e = Enum(package ?? "", Identifier());
                        table.Enums[e.FullName] = e;
                        break;
                    case ";":
                        Next();
                        break;
                    case "option" or "service" or "extend":
                        SkipStatement(); // nothing we read
                        break;
                    default:
                        throw Error($"Expected top-level statement (e.g. \"message\"), found \"{token}\"");
                }
            }
            return new ProtoFile { Package = package, Messages = messages };
        }

        private ProtoMessage Message(string scope, string name)
        {
            var fullName = scope.Length == 0 ? name : scope + "." + name;
            var message = new ProtoMessage { Name = name, FullName = fullName };
            table.Messages[fullName] = message;
            var synthetic = new List<string>();
            Expect("{");
            while (Peek() != "}")
            {
                var token = Peek() ?? throw Error("Reached end of input in message definition (missing '}').");
                switch (token)
                {
                    case "message":
                        Next();
                        message.Nested.Add(Message(fullName, Identifier()));
                        break;
                    case "enum":
                        Next();
                        var e = Enum(fullName, Identifier());
                        message.Enums.Add(e);
                        table.Enums[e.FullName] = e;
                        break;
                    case "oneof":
                        Next();
                        var oneofName = Identifier();
                        var index = message.Oneofs.Count;
                        message.Oneofs.Add((oneofName, false));
                        Expect("{");
                        while (Peek() != "}")
                        {
                            if (Peek() is "option")
                            {
                                SkipStatement();
                                continue;
                            }
                            Field(message, fullName, index, synthetic);
                        }
                        Expect("}");
                        break;
                    case "option":
                        Next();
                        // The entry message of a map as a descriptor describes it (and Confluent prints it from one).
                        if (Peek() == "map_entry")
                        {
                            Next();
                            Expect("=");
                            message.IsMapEntry = Next() == "true";
                            Expect(";");
                        }
                        else
                        {
                            SkipStatementRest();
                        }
                        break;
                    case "reserved" or "extensions" or "extend":
                        SkipStatement();
                        break;
                    case ";":
                        Next();
                        break;
                    default:
                        Field(message, fullName, -1, synthetic);
                        break;
                }
            }
            Expect("}");
            // protoc puts the synthetic oneofs of proto3 optional fields after the real ones.
            var firstSynthetic = message.Oneofs.Count;
            foreach (var field in synthetic)
            {
                message.Oneofs.Add(("_" + field, true));
            }
            for (var i = 0; i < pending.Count; i++)
            {
                if (ReferenceEquals(pending[i].Owner, message) && pending[i].Proto3Optional)
                {
                    pending[i] = pending[i] with { OneofIndex = firstSynthetic + synthetic.IndexOf(pending[i].Name) };
                }
            }
            return message;
        }

        private void Field(ProtoMessage message, string scope, int oneofIndex, List<string> synthetic)
        {
            var line = _line;
            var label = Peek() is "optional" or "required" or "repeated" ? Next() : null;
            if (label == "required" && _proto3)
            {
                throw Error("Required fields are not allowed in proto3.");
            }
            var type = Word();
            if (type == "group")
            {
                throw Error("Groups are not supported.");
            }
            if (type == "map")
            {
                Expect("<");
                var keyType = Word();
                Expect(",");
                var valueType = Word();
                Expect(">");
                var mapName = Identifier();
                Expect("=");
                var mapNumber = FieldNumber();
                Options();
                Expect(";");
                CheckUnique(message, mapName, mapNumber, line);
                // protoc's map entry: a nested <CamelName>Entry message with key = 1 and value = 2.
                var entryName = CamelCase(mapName) + "Entry";
                var entry = new ProtoMessage { Name = entryName, FullName = scope + "." + entryName, IsMapEntry = true };
                table.Messages[entry.FullName] = entry;
                message.Nested.Add(entry);
                pending.Add(new PendingField(entry, entry.FullName, "key", 1, keyType, false, null, false, -1, [], null, line));
                pending.Add(new PendingField(entry, entry.FullName, "value", 2, valueType, false, null, false, -1, [], null, line));
                pending.Add(new PendingField(message, scope, mapName, mapNumber, "." + entry.FullName, true, null, false, oneofIndex, [], null, line));
                return;
            }
            var name = Identifier();
            Expect("=");
            var number = FieldNumber();
            var (parameters, doc) = Options();
            Expect(";");
            CheckUnique(message, name, number, line);
            var proto3Optional = _proto3 && label == "optional" && oneofIndex < 0;
            if (proto3Optional)
            {
                synthetic.Add(name);
            }
            pending.Add(new PendingField(message, scope, name, number, type, label == "repeated", label, proto3Optional, oneofIndex, parameters, doc, line));
        }

        private ProtoEnum Enum(string scope, string name)
        {
            var result = new ProtoEnum { Name = name, FullName = scope.Length == 0 ? name : scope + "." + name };
            Expect("{");
            while (Peek() != "}")
            {
                var token = Next() ?? throw Error("unexpected end of file in enum " + name);
                if (token is "option" or "reserved")
                {
                    SkipStatementRest();
                    continue;
                }
                if (token == ";")
                {
                    continue;
                }
                Expect("=");
                var number = Int();
                Options();
                Expect(";");
                result.Values.Add((token, number));
            }
            Expect("}");
            return result.Values.Count > 0 ? result : throw Error($"Enums must contain at least one value: {name}");
        }

        // protoc's checks, with its messages: a number or a name used twice in one message.
        private void CheckUnique(ProtoMessage message, string name, int number, int line)
        {
            foreach (var other in pending)
            {
                if (!ReferenceEquals(other.Owner, message))
                {
                    continue;
                }
                if (other.Number == number)
                {
                    throw new SchemaParseException(line, $"Field number {number} has already been used in \"{message.FullName}\" by field \"{other.Name}\".");
                }
                if (other.Name == name)
                {
                    throw new SchemaParseException(line, $"\"{name}\" is already defined in \"{message.FullName}\".");
                }
            }
        }

        private int FieldNumber()
        {
            var text = Peek();
            var number = Int();
            return number is >= 1 and <= 536_870_911 ? number : throw Error($"Expected field number, found \"{text}\"");
        }

        private string Identifier()
        {
            var token = Next() ?? throw Error("Expected identifier, found end of input");
            return char.IsAsciiLetter(token[0]) || token[0] == '_' ? token : throw Error($"Expected identifier, found \"{token}\"");
        }

        // [a = 1, (confluent.field_meta) = { doc: "...", params: [{key: "k", value: "v"}] }]
        private (IReadOnlyList<KeyValuePair<string, string>> Params, string? Doc) Options()
        {
            var parameters = new List<KeyValuePair<string, string>>();
            string? doc = null;
            if (Peek() != "[")
            {
                return (parameters, doc);
            }
            Next();
            while (Peek() != "]")
            {
                var optionName = new StringBuilder();
                while (Peek() is { } part && part != "=")
                {
                    optionName.Append(Next());
                }
                Expect("=");
                var value = Value();
                var key = optionName.ToString();
                if (key == "(confluent.field_meta)" && value is Dictionary<string, List<object>> meta)
                {
                    doc = meta.TryGetValue("doc", out var d) && d.Count > 0 ? d[0] as string : doc;
                    foreach (var entry in meta.GetValueOrDefault("params") ?? [])
                    {
                        if (entry is Dictionary<string, List<object>> kv)
                        {
                            parameters.Add(new(First(kv, "key"), First(kv, "value")));
                        }
                    }
                }
                else if (key == "(confluent.field_meta).doc" && value is string docValue)
                {
                    doc = docValue;
                }
                if (Peek() == ",")
                {
                    Next();
                }
            }
            Expect("]");
            return (parameters, doc);
        }

        private static string First(Dictionary<string, List<object>> aggregate, string key) =>
            aggregate.TryGetValue(key, out var values) && values.Count > 0 && values[0] is string s ? s : "";

        // A constant, or a text-format aggregate: names to lists of values (repeated names and [a, b] both append).
        private object Value()
        {
            if (Peek() == "{")
            {
                Next();
                var aggregate = new Dictionary<string, List<object>>(StringComparer.Ordinal);
                while (Peek() != "}")
                {
                    var name = Next() ?? throw Error("unexpected end of file in an option value");
                    if (name is "," or ";")
                    {
                        continue;
                    }
                    if (Peek() == ":")
                    {
                        Next();
                    }
                    if (!aggregate.TryGetValue(name, out var list))
                    {
                        aggregate[name] = list = [];
                    }
                    if (Peek() == "[")
                    {
                        Next();
                        while (Peek() != "]")
                        {
                            if (Peek() == ",")
                            {
                                Next();
                                continue;
                            }
                            list.Add(Value());
                        }
                        Next();
                    }
                    else
                    {
                        list.Add(Value());
                    }
                }
                Next();
                return aggregate;
            }
            if (Peek() == "-")
            {
                Next();
                return "-" + Next();
            }
            var token = Peek();
            return token is not null && (token[0] == '"' || token[0] == '\'') ? String() : Next()!;
        }

        private static string CamelCase(string name)
        {
            var sb = new StringBuilder();
            var upper = true;
            foreach (var c in name)
            {
                if (c == '_')
                {
                    upper = true;
                    continue;
                }
                sb.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            return sb.ToString();
        }

        private void SkipStatement()
        {
            Next();
            SkipStatementRest();
        }

        // Up to the ';' that ends the statement, or through the block it opens.
        private void SkipStatementRest()
        {
            var depth = 0;
            while (Next() is { } token)
            {
                if (token == "{")
                {
                    depth++;
                }
                else if (token == "}")
                {
                    if (--depth == 0)
                    {
                        return;
                    }
                }
                else if (token == ";" && depth == 0)
                {
                    return;
                }
            }
        }

        private int Int()
        {
            var token = Next() ?? throw Error("a number was expected");
            if (token.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? int.TryParse(token.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex)
                : int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out hex))
            {
                return hex;
            }
            if (token == "-" && int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var negative))
            {
                return -negative;
            }
            throw Error($"a number was expected, not '{token}'");
        }

        // A string literal (adjacent literals concatenate), unescaped.
        private string String()
        {
            var sb = new StringBuilder();
            var any = false;
            while (Peek() is { } token && (token[0] == '"' || token[0] == '\''))
            {
                Next();
                any = true;
                for (var i = 1; i < token.Length - 1; i++)
                {
                    var c = token[i];
                    if (c != '\\')
                    {
                        sb.Append(c);
                        continue;
                    }
                    var e = token[++i];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => e });
                }
            }
            return any ? sb.ToString() : throw Error("a string was expected");
        }

        private void Expect(string expected)
        {
            var token = Next();
            if (token != expected)
            {
                throw Error($"Expected \"{expected}\", found \"{token ?? "end of input"}\"");
            }
        }

        private SchemaParseException Error(string message) => new(_line, message);

        private string? _peeked;

        private string? Peek() => _peeked ??= Read();

        private string Word() => Next() ?? throw Error("unexpected end of file");

        private string? Next()
        {
            var token = Peek();
            _peeked = null;
            return token;
        }

        private string? Read()
        {
            while (_position < text.Length)
            {
                var c = text[_position];
                if (c == '\n')
                {
                    _line++;
                    _position++;
                }
                else if (char.IsWhiteSpace(c))
                {
                    _position++;
                }
                else if (c == '/' && _position + 1 < text.Length && text[_position + 1] == '/')
                {
                    while (_position < text.Length && text[_position] != '\n')
                    {
                        _position++;
                    }
                }
                else if (c == '/' && _position + 1 < text.Length && text[_position + 1] == '*')
                {
                    var end = text.IndexOf("*/", _position + 2, StringComparison.Ordinal);
                    var stop = end < 0 ? text.Length : end + 2;
                    _line += text.AsSpan(_position, stop - _position).Count('\n');
                    _position = stop;
                }
                else
                {
                    break;
                }
            }
            if (_position >= text.Length)
            {
                return null;
            }
            var start = _position;
            var first = text[_position];
            if (first is '"' or '\'')
            {
                _position++;
                while (_position < text.Length && text[_position] != first)
                {
                    if (text[_position] == '\n')
                    {
                        throw Error("String literals cannot cross line boundaries.");
                    }
                    _position += text[_position] == '\\' ? 2 : 1;
                }
                _position++;
                if (_position > text.Length)
                {
                    throw Error("Unexpected end of string.");
                }
                return text[start.._position];
            }
            if (char.IsLetterOrDigit(first) || first is '_' or '.')
            {
                while (_position < text.Length && (char.IsLetterOrDigit(text[_position]) || text[_position] is '_' or '.' or '+'
                    || (text[_position] == '-' && _position > start && text[_position - 1] is 'e' or 'E')))
                {
                    _position++;
                }
                return text[start.._position];
            }
            _position++;
            return text[start.._position];
        }
    }
}
