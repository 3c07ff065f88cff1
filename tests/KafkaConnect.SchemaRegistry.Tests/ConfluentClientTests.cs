using Confluent.SchemaRegistry;

namespace KafkaConnect.SchemaRegistry.Tests;

/// <summary>Confluent's own .NET registry client (Confluent.SchemaRegistry 2.16.0) against our registry, unchanged.</summary>
public sealed class ConfluentClientTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private const string MyRecord = """{"type":"record","name":"myrecord","fields":[{"name":"f1","type":"string"}]}""";

    private static string Subject(string name) => name + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task SameSchemaGetsOneIdAcrossSubjects_AndReRegisteringReturnsIt()
    {
        using var client = fixture.Client();
        var a = Subject("ids-a");
        var b = Subject("ids-b");
        var schema = $$"""{"type":"record","name":"Ids{{a.Replace("-", "_", StringComparison.Ordinal)}}","fields":[{"name":"x","type":"long"}]}""";
        var idA = await client.RegisterSchemaAsync(a, new Schema(schema, SchemaType.Avro));
        // Whitespace differs: the same schema once parsed.
        var idB = await client.RegisterSchemaAsync(b, new Schema(schema.Replace(",", " , ", StringComparison.Ordinal), SchemaType.Avro));
        Assert.Equal(idA, idB);
        var (status, body, _) = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{a}/versions", Http.SchemaBody(schema));
        Assert.Equal(200, status);
        Assert.Equal(idA, body.GetProperty("id").GetInt32());
        Assert.Equal([1], await client.GetSubjectVersionsAsync(a));

        var fetched = await client.GetSchemaAsync(idA);
        Assert.Equal(SchemaType.Avro, fetched.SchemaType);
        Assert.Equal(schema, fetched.SchemaString);
        var (_, subjects, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/schemas/ids/{idA}/subjects");
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), subjects.EnumerateArray().Select(e => e.GetString()));
        var (_, versions, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/schemas/ids/{idA}/versions");
        Assert.Equal(2, versions.GetArrayLength());
    }

    [Fact]
    public async Task Lookup_Versions_Latest_AndRawSchema()
    {
        using var client = fixture.Client();
        var s = Subject("lookup");
        var v1 = """{"type":"record","name":"L","fields":[{"name":"a","type":"int"}]}""";
        var v2 = """{"type":"record","name":"L","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}""";
        var id1 = await client.RegisterSchemaAsync(s, new Schema(v1, SchemaType.Avro));
        var id2 = await client.RegisterSchemaAsync(s, new Schema(v2, SchemaType.Avro));
        Assert.NotEqual(id1, id2);

        var found = await client.LookupSchemaAsync(s, new Schema(v1, SchemaType.Avro), ignoreDeletedSchemas: true);
        Assert.Equal(1, found.Version);
        Assert.Equal(id1, found.Id);
        var latest = await client.GetLatestSchemaAsync(s);
        Assert.Equal((2, id2, v2), (latest.Version, latest.Id, latest.SchemaString));
        var registered = await client.GetRegisteredSchemaAsync(s, 1, true);
        Assert.Equal(v1, registered.SchemaString);
        Assert.Contains(s, await client.GetAllSubjectsAsync());

        foreach (var v in new[] { "latest", "-1", "2" })
        {
            var (status, body, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/subjects/{s}/versions/{v}");
            Assert.Equal(200, status);
            Assert.Equal(2, body.GetProperty("version").GetInt32());
            Assert.False(body.TryGetProperty("schemaType", out _));
        }
        var (_, _, raw) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/subjects/{s}/versions/1/schema");
        Assert.Equal(v1, raw);
        var (_, _, rawById) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/schemas/ids/{id2}/schema");
        Assert.Equal(v2, rawById);
        var (missing, err, _) = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}", Http.SchemaBody("\"string\""));
        Assert.Equal((404, 40403, "Schema not found"), (missing, err.GetProperty("error_code").GetInt32(), err.GetProperty("message").GetString()));
        var (prefixStatus, prefixed, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/subjects?subjectPrefix={s}");
        Assert.Equal(200, prefixStatus);
        Assert.Equal([s], prefixed.EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>Seed 002: the file sink's value subject gets myrecord, then an int schema is refused under BACKWARD.</summary>
    [Fact]
    public async Task Seed002_IntAfterMyRecordIsIncompatibleUnderBackward()
    {
        using var client = fixture.Client();
        const string subject = "kafka-connect-ui-file-sink-value";
        var id = await client.RegisterSchemaAsync(subject, new Schema(MyRecord, SchemaType.Avro));
        Assert.True(id > 0);
        Assert.Equal(Compatibility.Backward, await client.GetCompatibilityAsync());
        Assert.False(await client.IsCompatibleAsync(subject, new Schema("""{"type":"int"}""", SchemaType.Avro)));

        var ex = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, new Schema("""{"type":"int"}""", SchemaType.Avro)));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, ex.Status);
        var version = (await client.GetSubjectVersionsAsync(subject)).Max();
        var expected = "Schema being registered is incompatible with an earlier schema for subject \"kafka-connect-ui-file-sink-value\", details: ["
            + "{errorType:'TYPE_MISMATCH', description:'The type (path '/') of a field in the new schema does not match with the old schema', "
            + "additionalInfo:'reader type: INT not compatible with writer type: RECORD'}, "
            + $"{{oldSchemaVersion: {version}}}, {{oldSchema: '{MyRecord}'}}, {{validateFields: 'false', compatibility: 'BACKWARD'}}]";
        var (status, body, _) = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{subject}/versions", Http.SchemaBody("""{"type":"int"}"""));
        Assert.Equal(409, status);
        Assert.Equal(409, body.GetProperty("error_code").GetInt32());
        Assert.Equal(expected, body.GetProperty("message").GetString());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, bool> AvroCases => new()
    {
        // level, old, new, compatible
        { "BACKWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}""", true },
        { "BACKWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""", false },
        { "BACKWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}""", true },
        { "BACKWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", false },
        { "BACKWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"bytes"}]}""", true },
        { "BACKWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"]}]}""", true },
        { "BACKWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"]}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", false },
        { "BACKWARD", """{"type":"enum","name":"E","symbols":["A","B"]}""", """{"type":"enum","name":"E","symbols":["A","B","C"]}""", true },
        { "BACKWARD", """{"type":"enum","name":"E","symbols":["A","B"]}""", """{"type":"enum","name":"E","symbols":["A"]}""", false },
        { "BACKWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}""", false },
        { "BACKWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"S","aliases":["R"],"fields":[{"name":"a","type":"int"}]}""", true },
        { "BACKWARD", """{"type":"fixed","name":"F","size":4}""", """{"type":"fixed","name":"F","size":8}""", false },
        { "FORWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""", true },
        { "FORWARD", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", false },
        { "FULL", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}""", true },
        { "FULL", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""", false },
        { "NONE", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", "\"string\"", true },
    };

    [Theory]
    [MemberData(nameof(AvroCases))]
    public Task AvroVerdicts(string level, string old, string @new, bool compatible) => Verdict(level, SchemaType.Avro, old, @new, compatible);

    public static TheoryData<string, string, string, bool> JsonCases => new()
    {
        { "BACKWARD", """{"type":"object","properties":{"a":{"type":"string"}}}""", """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""", false },
        { "BACKWARD", """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""", """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"number"}},"additionalProperties":false}""", true },
        { "BACKWARD", """{"type":"object","properties":{"a":{"type":"string"}}}""", """{"type":"object","properties":{"a":{"type":"integer"}}}""", false },
        { "BACKWARD", """{"type":"object","properties":{"a":{"type":"integer"}}}""", """{"type":"object","properties":{"a":{"type":"number"}}}""", true },
        { "BACKWARD", """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""", """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["b"],"additionalProperties":false}""", false },
        { "BACKWARD", """{"type":"string","maxLength":10}""", """{"type":"string","maxLength":5}""", false },
        { "BACKWARD", """{"type":"string","maxLength":5}""", """{"type":"string","maxLength":10}""", true },
        { "BACKWARD", """{"enum":["a","b"]}""", """{"enum":["a"]}""", false },
        { "FORWARD", """{"type":"object","properties":{"a":{"type":"string"}}}""", """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""", true },
        { "BACKWARD", """{"oneOf":[{"type":"string"},{"type":"integer"}]}""", """{"oneOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]}""", true },
        { "BACKWARD", """{"oneOf":[{"type":"string"},{"type":"integer"}]}""", """{"oneOf":[{"type":"string"}]}""", false },
        { "BACKWARD", """{"type":"string"}""", """{"anyOf":[{"type":"string"},{"type":"null"}]}""", true },
        { "BACKWARD", """{"allOf":[{"type":"object"},{"required":["a"]}]}""", """{"allOf":[{"type":"object"},{"required":["a"]},{"required":["b"]}]}""", false },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public Task JsonSchemaVerdicts(string level, string old, string @new, bool compatible) => Verdict(level, SchemaType.Json, old, @new, compatible);

    public static TheoryData<string, string, string, bool> ProtobufCases => new()
    {
        { "BACKWARD", "syntax = \"proto3\";\nmessage M { string a = 1; }", "syntax = \"proto3\";\nmessage M { string a = 1; int32 b = 2; }", true },
        { "BACKWARD", "syntax = \"proto3\";\nmessage M { string a = 1; int32 b = 2; }", "syntax = \"proto3\";\nmessage M { string a = 1; }", true },
        { "BACKWARD", "syntax = \"proto3\";\nmessage M { string a = 1; }", "syntax = \"proto3\";\nmessage M { int32 a = 1; }", false },
        { "BACKWARD", "syntax = \"proto3\";\nmessage M { int32 a = 1; }", "syntax = \"proto3\";\nmessage M { int64 a = 1; }", true },
        { "BACKWARD", "syntax = \"proto3\";\nmessage M { int32 a = 1; }", "syntax = \"proto3\";\nmessage M { sint32 a = 1; }", false },
        { "BACKWARD", "syntax = \"proto3\";\nmessage M { int32 a = 1; }\nmessage N { int32 b = 1; }", "syntax = \"proto3\";\nmessage M { int32 a = 1; }", false },
        { "BACKWARD", "syntax = \"proto3\";\nmessage M { N n = 1; }\nmessage N { int32 b = 1; }\nmessage O { int32 b = 1; }", "syntax = \"proto3\";\nmessage M { O n = 1; }\nmessage N { int32 b = 1; }\nmessage O { int32 b = 1; }", false },
        { "BACKWARD", "syntax = \"proto2\";\nmessage M { optional int32 a = 1; }", "syntax = \"proto2\";\nmessage M { optional int32 a = 1; required int32 b = 2; }", false },
    };

    [Theory]
    [MemberData(nameof(ProtobufCases))]
    public Task ProtobufVerdicts(string level, string old, string @new, bool compatible) => Verdict(level, SchemaType.Protobuf, old, @new, compatible);

    private async Task Verdict(string level, SchemaType type, string old, string @new, bool compatible)
    {
        using var client = fixture.Client();
        var s = Subject("verdict-" + type.ToString().ToLowerInvariant());
        await client.UpdateCompatibilityAsync(Enum.Parse<Compatibility>(level.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), s);
        Assert.Equal(level, (await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/config/{s}")).Body.GetProperty("compatibilityLevel").GetString());
        await client.RegisterSchemaAsync(s, new Schema(old, type));
        Assert.Equal(compatible, await client.IsCompatibleAsync(s, new Schema(@new, type)));
        var typeName = type.ToString().ToUpperInvariant();
        var (_, verbose, _) = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/compatibility/subjects/{s}/versions/latest?verbose=true", Http.SchemaBody(@new, typeName));
        Assert.Equal(compatible, verbose.GetProperty("is_compatible").GetBoolean());
        Assert.Equal(compatible, verbose.GetProperty("messages").GetArrayLength() == 0);
        if (compatible)
        {
            Assert.True(await client.RegisterSchemaAsync(s, new Schema(@new, type)) > 0);
            Assert.Equal(2, (await client.GetLatestSchemaAsync(s)).Version);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(s, new Schema(@new, type)));
            Assert.Equal(System.Net.HttpStatusCode.Conflict, ex.Status);
            Assert.Contains($"compatibility: '{level}'", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TransitiveLevelsCheckEveryEarlierVersion()
    {
        using var client = fixture.Client();
        var s = Subject("transitive");
        await client.UpdateCompatibilityAsync(Compatibility.BackwardTransitive, s);
        await client.RegisterSchemaAsync(s, new Schema("""{"type":"record","name":"T","fields":[{"name":"a","type":"int"}]}""", SchemaType.Avro));
        await client.RegisterSchemaAsync(s, new Schema("""{"type":"record","name":"T","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}""", SchemaType.Avro));
        // Reads version 2 (b has a default there), but not version 1, which lacks b and gives no default.
        var third = new Schema("""{"type":"record","name":"T","fields":[{"name":"b","type":"int"}]}""", SchemaType.Avro);
        var ex = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(s, third));
        Assert.Contains("READER_FIELD_MISSING_DEFAULT_VALUE", ex.Message, StringComparison.Ordinal);
        Assert.Contains("{oldSchemaVersion: 1}", ex.Message, StringComparison.Ordinal);
        await client.UpdateCompatibilityAsync(Compatibility.Backward, s);
        Assert.True(await client.RegisterSchemaAsync(s, third) > 0);
    }

    [Fact]
    public async Task ReferencesResolveForAvroJsonAndProtobuf()
    {
        using var client = fixture.Client();
        var addr = Subject("ref-address");
        await client.RegisterSchemaAsync(addr, new Schema("""{"type":"record","name":"Address","namespace":"x","fields":[{"name":"street","type":"string"}]}""", SchemaType.Avro));
        var user = Subject("ref-user");
        var id = await client.RegisterSchemaAsync(user, new Schema("""{"type":"record","name":"User","namespace":"x","fields":[{"name":"home","type":"Address"}]}""",
            [new SchemaReference("x.Address", addr, 1)], SchemaType.Avro));
        var fetched = await client.GetSchemaAsync(id);
        Assert.Equal(addr, Assert.Single(fetched.References).Subject);
        var (_, referencedBy, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/subjects/{addr}/versions/1/referencedby");
        Assert.Equal([id], referencedBy.EnumerateArray().Select(e => e.GetInt32()));
        // A referenced version cannot go while it is used.
        var (status, err, _) = await Http.SendAsync(fixture.Url, HttpMethod.Delete, $"/subjects/{addr}/versions/1");
        Assert.Equal((422, 42206), (status, err.GetProperty("error_code").GetInt32()));

        var jsonBase = Subject("ref-json-base");
        await client.RegisterSchemaAsync(jsonBase, new Schema("""{"type":"object","properties":{"n":{"type":"integer"}}}""", SchemaType.Json));
        var jsonUser = Subject("ref-json");
        Assert.True(await client.RegisterSchemaAsync(jsonUser, new Schema("""{"type":"object","properties":{"b":{"$ref":"base.json"}}}""",
            [new SchemaReference("base.json", jsonBase, 1)], SchemaType.Json)) > 0);

        var protoBase = Subject("ref-proto-base");
        await client.RegisterSchemaAsync(protoBase, new Schema("syntax = \"proto3\";\npackage p;\nmessage Base { int32 n = 1; }", SchemaType.Protobuf));
        var protoUser = Subject("ref-proto");
        Assert.True(await client.RegisterSchemaAsync(protoUser, new Schema("syntax = \"proto3\";\npackage p;\nimport \"base.proto\";\nmessage User { Base b = 1; }",
            [new SchemaReference("base.proto", protoBase, 1)], SchemaType.Protobuf)) > 0);
        // Unknown reference: the schema cannot be parsed.
        var (bad, badErr, _) = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{Subject("ref-bad")}/versions",
            Http.SchemaBody("""{"type":"record","name":"U","fields":[{"name":"h","type":"Nope"}]}""", references: $$"""[{"name":"Nope","subject":"{{addr}}","version":7}]"""));
        Assert.Equal((422, 42201), (bad, badErr.GetProperty("error_code").GetInt32()));
    }

    [Fact]
    public async Task SoftThenPermanentDelete_WithConfluentCodes()
    {
        using var client = fixture.Client();
        var s = Subject("delete");
        var id1 = await client.RegisterSchemaAsync(s, new Schema("""{"type":"record","name":"D","fields":[{"name":"a","type":"int"}]}""", SchemaType.Avro));
        await client.RegisterSchemaAsync(s, new Schema("""{"type":"record","name":"D","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":1}]}""", SchemaType.Avro));

        async Task<(int, int, string)> Delete(string path)
        {
            var (status, body, text) = await Http.SendAsync(fixture.Url, HttpMethod.Delete, path);
            return status == 200 ? (200, 0, text) : (status, body.GetProperty("error_code").GetInt32(), body.GetProperty("message").GetString()!);
        }

        Assert.Equal((404, 40407, $"Subject '{s}' Version 1 was not deleted first before being permanently deleted"), await Delete($"/subjects/{s}/versions/1?permanent=true"));
        Assert.Equal((200, 0, "1"), await Delete($"/subjects/{s}/versions/1"));
        Assert.Equal((404, 40406, $"Subject '{s}' Version 1 was soft deleted.Set permanent=true to delete permanently"), await Delete($"/subjects/{s}/versions/1"));
        Assert.Equal([2], await client.GetSubjectVersionsAsync(s));
        var (_, withDeleted, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/subjects/{s}/versions?deleted=true");
        Assert.Equal([1, 2], withDeleted.EnumerateArray().Select(e => e.GetInt32()));
        // The id still resolves after a soft delete (readers of old data need it).
        Assert.NotNull(await client.GetSchemaAsync(id1));
        var (gone, goneErr, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/subjects/{s}/versions/1");
        Assert.Equal((404, 40402, "Version 1 not found."), (gone, goneErr.GetProperty("error_code").GetInt32(), goneErr.GetProperty("message").GetString()));

        Assert.Equal((404, 40405, $"Subject '{s}' was not deleted first before being permanently deleted"), await Delete($"/subjects/{s}?permanent=true"));
        Assert.Equal((200, 0, "[2]"), await Delete($"/subjects/{s}"));
        Assert.Equal((404, 40404, $"Subject '{s}' was soft deleted.Set permanent=true to delete permanently"), await Delete($"/subjects/{s}"));
        Assert.DoesNotContain(s, await client.GetAllSubjectsAsync());
        var (_, all, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, "/subjects?deleted=true");
        Assert.Contains(s, all.EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((200, 0, "[1,2]"), await Delete($"/subjects/{s}?permanent=true"));
        Assert.Equal((404, 40401, $"Subject '{s}' not found."), await Delete($"/subjects/{s}"));
        // A fresh client: the first one rightly caches what it fetched by id.
        using var fresh = fixture.Client();
        var ex = await Assert.ThrowsAsync<SchemaRegistryException>(() => fresh.GetSchemaAsync(id1));
        Assert.Equal(40403, ex.ErrorCode);
    }

    [Fact]
    public async Task Config_GlobalAndPerSubject()
    {
        using var client = fixture.Client();
        var s = Subject("config");
        var (status, err, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/config/{s}");
        Assert.Equal((404, 40408, $"Subject '{s}' does not have subject-level compatibility configured"), (status, err.GetProperty("error_code").GetInt32(), err.GetProperty("message").GetString()));
        var (_, dflt, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/config/{s}?defaultToGlobal=true");
        Assert.Equal("BACKWARD", dflt.GetProperty("compatibilityLevel").GetString());

        await client.UpdateCompatibilityAsync(Compatibility.Full, s);
        Assert.Equal(Compatibility.Full, await client.GetCompatibilityAsync(s));
        var (_, _, text) = await Http.SendAsync(fixture.Url, HttpMethod.Put, $"/config/{s}", """{"compatibility":"forward_transitive"}""");
        Assert.Equal("""{"compatibility":"FORWARD_TRANSITIVE"}""", text);
        var (_, deleted, _) = await Http.SendAsync(fixture.Url, HttpMethod.Delete, $"/config/{s}");
        Assert.Equal("FORWARD_TRANSITIVE", deleted.GetProperty("compatibilityLevel").GetString());
        Assert.Equal(404, (await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/config/{s}")).Status);

        var (bad, badErr, _) = await Http.SendAsync(fixture.Url, HttpMethod.Put, "/config", """{"compatibility":"SIDEWAYS"}""");
        Assert.Equal((422, 42203), (bad, badErr.GetProperty("error_code").GetInt32()));
        Assert.Equal("Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive",
            badErr.GetProperty("message").GetString());
        var (_, global, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, "/config");
        Assert.Equal("BACKWARD", global.GetProperty("compatibilityLevel").GetString());
    }

    [Fact]
    public async Task Mode_ReadOnlyRefusesWrites()
    {
        using var client = fixture.Client();
        var s = Subject("mode");
        Assert.Equal("READWRITE", (await Http.SendAsync(fixture.Url, HttpMethod.Get, "/mode")).Body.GetProperty("mode").GetString());
        var (missing, missingErr, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/mode/{s}");
        Assert.Equal((404, 40409), (missing, missingErr.GetProperty("error_code").GetInt32()));
        Assert.Equal("""{"mode":"READONLY"}""", (await Http.SendAsync(fixture.Url, HttpMethod.Put, $"/mode/{s}", """{"mode":"READONLY"}""")).Text);
        var ex = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(s, new Schema("\"string\"", SchemaType.Avro)));
        Assert.Equal(42205, ex.ErrorCode);
        Assert.Contains($"Subject {s} in context . is in read-only mode", ex.Message, StringComparison.Ordinal);
        var (bad, badErr, _) = await Http.SendAsync(fixture.Url, HttpMethod.Put, $"/mode/{s}", """{"mode":"SOMETIMES"}""");
        Assert.Equal((422, 42204), (bad, badErr.GetProperty("error_code").GetInt32()));
        Assert.Equal("""{"mode":"READONLY"}""", (await Http.SendAsync(fixture.Url, HttpMethod.Delete, $"/mode/{s}")).Text);
        Assert.True(await client.RegisterSchemaAsync(s, new Schema("\"string\"", SchemaType.Avro)) > 0);
    }

    [Fact]
    public async Task ImportMode_TakesIdsAndVersionsFromTheRequest()
    {
        var s = Subject("import");
        var withId = $$"""{"schema":"\"string\"","id":{{5000 + Random.Shared.Next(1000)}},"version":3}""";
        var notImport = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}/versions", withId);
        Assert.Equal((422, 42205, $"Subject {s} in context . is not in import mode"),
            (notImport.Status, notImport.Body.GetProperty("error_code").GetInt32(), notImport.Body.GetProperty("message").GetString()));
        Assert.Equal(200, (await Http.SendAsync(fixture.Url, HttpMethod.Put, $"/mode/{s}", """{"mode":"IMPORT"}""")).Status);
        var imported = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}/versions", withId);
        Assert.Equal(200, imported.Status);
        var id = imported.Body.GetProperty("id").GetInt32();
        Assert.True(id >= 5000);
        var stored = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/subjects/{s}/versions/3");
        Assert.Equal((3, id), (stored.Body.GetProperty("version").GetInt32(), stored.Body.GetProperty("id").GetInt32()));
        var noId = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}/versions", Http.SchemaBody("\"long\""));
        Assert.Equal((422, $"Subject {s} in context . is not in read-write mode"), (noId.Status, noId.Body.GetProperty("message").GetString()));
        var overwrite = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}/versions", $$"""{"schema":"\"long\"","id":{{id}},"version":4}""");
        Assert.Equal((422, $"Overwrite new schema with id {id} in context . is not permitted."), (overwrite.Status, overwrite.Body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task BadInput_AnsweredWithConfluentCodes()
    {
        using var client = fixture.Client();
        var s = Subject("bad");
        var invalid = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(s, new Schema("""{"type":"record","name":"R","fields":[{"name":"a","type":"nosuchtype"}]}""", SchemaType.Avro)));
        Assert.Equal(42201, invalid.ErrorCode);
        Assert.Contains("Invalid schema of type AVRO, details: \"nosuchtype\" is not a defined name", invalid.Message, StringComparison.Ordinal);
        var badDefault = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}/versions", Http.SchemaBody("""{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"""));
        Assert.Equal((422, 42201), (badDefault.Status, badDefault.Body.GetProperty("error_code").GetInt32()));
        var badProto = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}/versions", Http.SchemaBody("message M { strin a = 1; }", "PROTOBUF"));
        Assert.Equal((422, 42201), (badProto.Status, badProto.Body.GetProperty("error_code").GetInt32()));
        var badJson = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}/versions", Http.SchemaBody("""{"type":"strong"}""", "JSON"));
        Assert.Equal((422, 42201), (badJson.Status, badJson.Body.GetProperty("error_code").GetInt32()));
        var badType = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}/versions", Http.SchemaBody("\"string\"", "XML"));
        Assert.Equal((422, 42201, "Invalid schema type XML"), (badType.Status, badType.Body.GetProperty("error_code").GetInt32(), badType.Body.GetProperty("message").GetString()));

        var unknown = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetSchemaAsync(987654));
        Assert.Equal((System.Net.HttpStatusCode.NotFound, 40403), (unknown.Status, unknown.ErrorCode));
        Assert.Equal("Schema 987654 not found", (await Http.SendAsync(fixture.Url, HttpMethod.Get, "/schemas/ids/987654")).Body.GetProperty("message").GetString());

        var malformed = await Http.SendAsync(fixture.Url, HttpMethod.Post, $"/subjects/{s}/versions", "{\"schema\": ");
        Assert.Equal((400, 400), (malformed.Status, malformed.Body.GetProperty("error_code").GetInt32()));
        var version = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/subjects/{s}/versions/zero");
        Assert.Equal((422, 42202), (version.Status, version.Body.GetProperty("error_code").GetInt32()));
        Assert.Equal("The specified version 'zero' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"",
            version.Body.GetProperty("message").GetString());
        var noSubject = await Http.SendAsync(fixture.Url, HttpMethod.Get, $"/subjects/{s}/versions");
        Assert.Equal((404, 40401, $"Subject '{s}' not found."), (noSubject.Status, noSubject.Body.GetProperty("error_code").GetInt32(), noSubject.Body.GetProperty("message").GetString()));
        var route = await Http.SendAsync(fixture.Url, HttpMethod.Get, "/nothing/here");
        Assert.Equal((404, 404), (route.Status, route.Body.GetProperty("error_code").GetInt32()));
    }

    [Fact]
    public async Task RootAndSchemaTypes()
    {
        Assert.Equal("{}", (await Http.SendAsync(fixture.Url, HttpMethod.Get, "/")).Text);
        var (_, types, _) = await Http.SendAsync(fixture.Url, HttpMethod.Get, "/schemas/types");
        Assert.Equal(["JSON", "PROTOBUF", "AVRO"], types.EnumerateArray().Select(e => e.GetString()));
    }
}
