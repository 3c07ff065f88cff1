using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using KafkaConnect.SchemaRegistry.Leader;
using KafkaConnect.SchemaRegistry.Schemas;
using KafkaConnect.SchemaRegistry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KafkaConnect.SchemaRegistry.Rest;

/// <summary>
/// Confluent Schema Registry's REST resources (rest/resources/*.java): paths, shapes and error codes. Writes run on the
/// elected leader; another instance forwards them there (<see cref="Leading"/>).
/// </summary>
internal sealed class RegistryHandlers(SchemaStore store, SchemaRegistryOptions options, LeaderElector leader, LeaderForwarder forwarder)
{
    internal const string ContentType = "application/vnd.schemaregistry.v1+json";
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] s_modes = ["READWRITE", "READONLY", "IMPORT", "FORWARD"];

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", ctx => Json(ctx, w => w.WriteStartObject(), end: true));
        app.MapGet("/schemas/types", ctx => Json(ctx, w =>
        {
            w.WriteStartArray();
            w.WriteStringValue("JSON");
            w.WriteStringValue("PROTOBUF");
            w.WriteStringValue("AVRO");
            w.WriteEndArray();
        }));
        app.MapGet("/schemas/ids/{id}", GetById);
        app.MapGet("/schemas/ids/{id}/schema", ctx => Raw(ctx, FindId(ctx).Schema));
        app.MapGet("/schemas/ids/{id}/subjects", ctx =>
        {
            var uses = store.UsesOfId(FindId(ctx).Id, Flag(ctx, "deleted"));
            return Json(ctx, w => StringArray(w, uses.Select(u => u.Subject).Distinct()));
        });
        app.MapGet("/schemas/ids/{id}/versions", ctx =>
        {
            var uses = store.UsesOfId(FindId(ctx).Id, Flag(ctx, "deleted"));
            return Json(ctx, w =>
            {
                w.WriteStartArray();
                foreach (var u in uses)
                {
                    w.WriteStartObject();
                    w.WriteString("subject", u.Subject);
                    w.WriteNumber("version", u.Version);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        });
        app.MapGet("/subjects", async ctx =>
        {
            await store.SyncAsync(ctx.RequestAborted).ConfigureAwait(false);
            var prefix = ctx.Request.Query["subjectPrefix"].ToString();
            var subjects = store.Subjects(Flag(ctx, "deleted"), prefix.Length == 0 ? null : prefix);
            await Json(ctx, w => StringArray(w, subjects)).ConfigureAwait(false);
        });
        app.MapGet("/subjects/{subject}/versions", ctx =>
        {
            var subject = Subject(ctx);
            var versions = store.Versions(subject, Flag(ctx, "deleted"));
            if (versions.Count == 0)
            {
                throw RegistryException.SubjectNotFound(subject);
            }
            return Json(ctx, w =>
            {
                w.WriteStartArray();
                versions.ForEach(v => w.WriteNumberValue(v.Version));
                w.WriteEndArray();
            });
        });
        app.MapGet("/subjects/{subject}/versions/{version}", ctx =>
        {
            var s = FindVersion(ctx, Flag(ctx, "deleted"));
            return Json(ctx, w => WriteSchema(w, s, withSubjectAndVersion: true));
        });
        app.MapGet("/subjects/{subject}/versions/{version}/schema", ctx => Raw(ctx, FindVersion(ctx, Flag(ctx, "deleted")).Schema));
        app.MapGet("/subjects/{subject}/versions/{version}/referencedby", ctx =>
        {
            var s = FindVersion(ctx, includeDeleted: true);
            var ids = store.ReferencedBy(s.Subject, s.Version);
            return Json(ctx, w =>
            {
                w.WriteStartArray();
                ids.ForEach(w.WriteNumberValue);
                w.WriteEndArray();
            });
        });
        app.MapPost("/subjects/{subject}/versions", Leading("register schema", "Leader not known.", Register));
        app.MapPost("/subjects/{subject}", Lookup);
        app.MapDelete("/subjects/{subject}", Leading("delete subject", "Leader not known.", DeleteSubject));
        app.MapDelete("/subjects/{subject}/versions/{version}", Leading("delete schema version", "Leader not known.", DeleteVersion));
        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", ctx => Compatibility(ctx, all: false));
        app.MapPost("/compatibility/subjects/{subject}/versions", ctx => Compatibility(ctx, all: true));
        app.MapGet("/config", ctx => WriteConfig(ctx, "compatibilityLevel", store.Config(null) ?? store.DefaultCompatibility));
        app.MapPut("/config", Leading("update config", "Failed to update compatibility level", ctx => PutConfig(ctx, null)));
        app.MapDelete("/config", Leading("delete config", "Failed to delete compatibility level", ctx => DeleteConfig(ctx, null)));
        app.MapGet("/config/{subject}", ctx =>
        {
            var subject = Subject(ctx);
            var level = store.Config(subject);
            if (level is null && Flag(ctx, "defaultToGlobal"))
            {
                level = store.Config(null) ?? store.DefaultCompatibility;
            }
            return level is null ? throw RegistryException.SubjectConfigNotConfigured(subject) : WriteConfig(ctx, "compatibilityLevel", level);
        });
        app.MapPut("/config/{subject}", Leading("update config", "Failed to update compatibility level", ctx => PutConfig(ctx, Subject(ctx))));
        app.MapDelete("/config/{subject}", Leading("delete config", "Failed to delete compatibility level", ctx => DeleteConfig(ctx, Subject(ctx))));
        app.MapGet("/mode", ctx => WriteMode(ctx, store.Mode(null) ?? "READWRITE"));
        app.MapPut("/mode", Leading("update mode", "Failed to update mode", ctx => PutMode(ctx, null)));
        app.MapGet("/mode/{subject}", ctx =>
        {
            var subject = Subject(ctx);
            var mode = store.Mode(subject);
            if (mode is null && Flag(ctx, "defaultToGlobal"))
            {
                mode = store.Mode(null) ?? "READWRITE";
            }
            return mode is null ? throw RegistryException.SubjectModeNotConfigured(subject) : WriteMode(ctx, mode);
        });
        app.MapPut("/mode/{subject}", Leading("update mode", "Failed to update mode", ctx => PutMode(ctx, Subject(ctx))));
        app.MapDelete("/mode/{subject}", Leading("delete mode", "Failed to delete mode", DeleteMode));
    }

    // ---- leader ----

    /// <summary>
    /// A write: handled here when this instance leads, sent to the leader when another does, and refused with
    /// Confluent's 50004 (its message for the operation) when nobody does. While an election runs it waits for the
    /// result, up to the store's timeout, where Confluent answers at once.
    /// </summary>
    private RequestDelegate Leading(string operation, string unknownLeader, RequestDelegate local) => async ctx =>
    {
        // Kept so the body can be read again: by the leader's handler after a lost race, or to forward it.
        ctx.Request.EnableBuffering();
        var forwarded = ctx.Request.Headers.ContainsKey(LeaderForwarder.ForwardedHeader);
        LeaderUnreachableException? unreachable = null;
        LeaderView? gone = null;
        while (true)
        {
            // A leader that failed without leaving is replaced only once the group has missed it for a session.
            var wait = gone is null ? store.Timeout : Max(store.Timeout, options.GroupSessionTimeout + 2 * options.GroupHeartbeatInterval);
            var view = await leader.WaitAsync(wait, ctx.RequestAborted, gone).ConfigureAwait(false);
            if (unreachable is not null && view == gone)
            {
                throw unreachable.Error;
            }
            switch (view.Role)
            {
                case LeaderRole.Self:
                    try
                    {
                        await local(ctx).ConfigureAwait(false);
                        return;
                    }
                    catch (NotLeaderException)
                    {
                        // Leadership moved between the check and the write: decide again.
                        ctx.Request.Body.Position = 0;
                        continue;
                    }
                case LeaderRole.Other when forwarded:
                    throw RegistryException.Forwarding(operation, $"the request was forwarded to {leader.Identity.Url}, which is no longer the leader "
                        + $"(the leader is now {view.Leader!.Url}); retry");
                case LeaderRole.Other:
                    try
                    {
                        await forwarder.ForwardAsync(ctx, view.Leader!, operation).ConfigureAwait(false);
                        return;
                    }
                    catch (LeaderUnreachableException ex)
                    {
                        // A leader that stopped is replaced within a heartbeat, one that failed within a session: wait for that.
                        (unreachable, gone) = (ex, view);
                        ctx.Request.Body.Position = 0;
                        continue;
                    }
                case LeaderRole.Electing:
                    throw RegistryException.UnknownLeader(unknownLeader, $"Registry group '{options.GroupId}' is still electing a leader.");
                default:
                    throw RegistryException.UnknownLeader(unknownLeader, view.Problem);
            }
        }
    };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // ---- schemas ----

    private Task GetById(HttpContext ctx)
    {
        var s = FindId(ctx);
        return Json(ctx, w => WriteSchema(w, s, withSubjectAndVersion: false));
    }

    private StoredSchema FindId(HttpContext ctx)
    {
        var text = (string)ctx.Request.RouteValues["id"]!;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            throw new RegistryException(404, 404, "HTTP 404 Not Found");
        }
        var subject = ctx.Request.Query["subject"].ToString();
        var found = subject.Length > 0
            ? store.UsesOfId(id, includeDeleted: true).FirstOrDefault(s => s.Subject == subject) ?? store.ById(id)
            : store.ById(id);
        return found ?? throw RegistryException.SchemaNotFound(id);
    }

    private StoredSchema FindVersion(HttpContext ctx, bool includeDeleted)
    {
        var subject = Subject(ctx);
        var version = Version(ctx);
        var all = store.Versions(subject, includeDeleted: true);
        if (all.Count == 0)
        {
            throw RegistryException.SubjectNotFound(subject);
        }
        var visible = all.Where(v => includeDeleted || !v.Deleted).ToList();
        var found = version == -1 ? visible.LastOrDefault() : visible.FirstOrDefault(v => v.Version == version);
        if (found is null)
        {
            if (version == -1 && visible.Count == 0)
            {
                throw RegistryException.SubjectNotFound(subject);
            }
            throw RegistryException.VersionNotFound(version);
        }
        return found;
    }

    private async Task Register(HttpContext ctx)
    {
        var subject = Subject(ctx);
        var request = await ReadSchemaRequest(ctx).ConfigureAwait(false);
        var id = await store.WriteAsync(() =>
        {
            // Confluent's checkRegisterMode: an id is given only in IMPORT (or FORWARD) mode, and only then.
            var mode = store.EffectiveMode(subject);
            if (mode == "READONLY")
            {
                throw RegistryException.ReadOnly(subject);
            }
            var importing = mode is "IMPORT" or "FORWARD";
            if (request.Id is >= 0 && !importing)
            {
                throw RegistryException.NotPermitted($"Subject {subject} in context . is not in import mode");
            }
            if (request.Id is not >= 0 && mode != "READWRITE")
            {
                throw RegistryException.NotPermitted($"Subject {subject} in context . is not in read-write mode");
            }
            var parsed = ParsedSchema.Parse(request.SchemaType, request.Schema, store.Resolve(request.References));
            var all = store.Versions(subject, includeDeleted: true);
            var same = all.LastOrDefault(v => !v.Deleted && Same(v, parsed, request.References));
            if (same is not null)
            {
                return request.Id is >= 0 && request.Id != same.Id
                    ? throw new RegistryException(422, 42207, $"Schema already registered with id {same.Id} instead of input id {request.Id}")
                    : (same.Id, new List<(byte[], byte[]?)>());
            }
            // IMPORT copies schemas from elsewhere as they were: no compatibility check.
            if (!importing)
            {
                var messages = Check(store.EffectiveCompatibility(subject), parsed, all.Where(v => !v.Deleted).ToList());
                if (messages.Count > 0)
                {
                    throw RegistryException.Incompatible(subject, messages);
                }
            }
            if (request.Id is { } wanted && wanted >= 0 && store.ById(wanted) is { } existing && !Same(existing, parsed, request.References))
            {
                throw RegistryException.NotPermitted($"Overwrite new schema with id {wanted} in context . is not permitted.");
            }
            var newId = request.Id is >= 0 ? request.Id.Value : store.IdOf(parsed.SchemaType, parsed.Canonical, request.References) ?? store.NextId();
            var version = request.Version is > 0 ? request.Version.Value : (all.Count == 0 ? 0 : all[^1].Version) + 1;
            var stored = new StoredSchema(subject, version, newId, parsed.SchemaType, parsed.Canonical, request.References, false);
            return (newId, new List<(byte[], byte[]?)> { (StoreRecords.SchemaKey(subject, version), StoreRecords.SchemaValue(stored)) });
        }, ctx.RequestAborted).ConfigureAwait(false);
        await Json(ctx, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task Lookup(HttpContext ctx)
    {
        var subject = Subject(ctx);
        var request = await ReadSchemaRequest(ctx).ConfigureAwait(false);
        await store.SyncAsync(ctx.RequestAborted).ConfigureAwait(false);
        var includeDeleted = Flag(ctx, "deleted");
        var all = store.Versions(subject, includeDeleted);
        if (all.Count == 0)
        {
            throw RegistryException.SubjectNotFound(subject);
        }
        var parsed = ParsedSchema.Parse(request.SchemaType, request.Schema, store.Resolve(request.References));
        var found = all.LastOrDefault(v => Same(v, parsed, request.References)) ?? throw RegistryException.SchemaNotFound();
        await Json(ctx, w => WriteSchema(w, found, withSubjectAndVersion: true)).ConfigureAwait(false);
    }

    private static bool Same(StoredSchema stored, ParsedSchema parsed, IReadOnlyList<SchemaReference> references) =>
        stored.SchemaType == parsed.SchemaType && stored.Schema == parsed.Canonical && stored.References.SequenceEqual(references);

    private async Task DeleteSubject(HttpContext ctx)
    {
        var subject = Subject(ctx);
        var permanent = Flag(ctx, "permanent");
        var deleted = await store.WriteAsync(() =>
        {
            var all = WritableVersions(subject);
            var records = new List<(byte[], byte[]?)>();
            List<int> versions;
            if (!permanent)
            {
                var active = all.Where(v => !v.Deleted).ToList();
                if (active.Count == 0)
                {
                    throw RegistryException.SubjectSoftDeleted(subject);
                }
                foreach (var v in active)
                {
                    CheckNotReferenced(v, subject);
                }
                versions = [.. active.Select(v => v.Version)];
                records.Add((StoreRecords.SubjectKey("DELETE_SUBJECT", subject), StoreRecords.DeleteSubjectValue(subject, versions[^1])));
            }
            else
            {
                if (all.Any(v => !v.Deleted))
                {
                    throw RegistryException.SubjectNotSoftDeleted(subject);
                }
                foreach (var v in all)
                {
                    CheckNotReferenced(v, subject);
                }
                versions = [.. all.Select(v => v.Version)];
                for (var i = versions.Count - 1; i >= 0; i--)
                {
                    records.Add((StoreRecords.SchemaKey(subject, versions[i]), null));
                }
                AddSubjectSettingTombstones(subject, records);
            }
            return (versions, records);
        }, ctx.RequestAborted).ConfigureAwait(false);
        await Json(ctx, w =>
        {
            w.WriteStartArray();
            deleted.ForEach(w.WriteNumberValue);
            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    /// <summary>Every version of a subject a delete may change: refused in read-only mode, 40401 when there are none.</summary>
    private List<StoredSchema> WritableVersions(string subject)
    {
        if (store.EffectiveMode(subject) == "READONLY")
        {
            throw RegistryException.ReadOnly(subject);
        }
        var all = store.Versions(subject, includeDeleted: true);
        return all.Count == 0 ? throw RegistryException.SubjectNotFound(subject) : all;
    }

    private void AddSubjectSettingTombstones(string subject, List<(byte[], byte[]?)> records)
    {
        if (store.Mode(subject) is not null)
        {
            records.Add((StoreRecords.SubjectKey("MODE", subject), null));
        }
        if (store.Config(subject) is not null)
        {
            records.Add((StoreRecords.SubjectKey("CONFIG", subject), null));
        }
    }

    private void CheckNotReferenced(StoredSchema v, string exceptSubject)
    {
        if (store.ReferencedBy(v.Subject, v.Version) is { Count: > 0 } ids && ids.SelectMany(id => store.UsesOfId(id, false)).Any(u => u.Subject != exceptSubject))
        {
            throw RegistryException.ReferenceExists($"{{magic=1,keytype=SCHEMA,subject={v.Subject},version={v.Version}}}");
        }
    }

    private async Task DeleteVersion(HttpContext ctx)
    {
        var subject = Subject(ctx);
        var version = Version(ctx);
        var permanent = Flag(ctx, "permanent");
        var deleted = await store.WriteAsync(() =>
        {
            var all = WritableVersions(subject);
            var target = version == -1 ? (permanent ? all[^1] : all.LastOrDefault(v => !v.Deleted)) : all.FirstOrDefault(v => v.Version == version);
            if (target is null)
            {
                throw RegistryException.VersionNotFound(version);
            }
            if (!permanent && target.Deleted)
            {
                throw RegistryException.VersionSoftDeleted(subject, target.Version);
            }
            if (permanent && !target.Deleted)
            {
                throw RegistryException.VersionNotSoftDeleted(subject, target.Version);
            }
            if (store.ReferencedBy(subject, target.Version).Count > 0)
            {
                throw RegistryException.ReferenceExists($"{{magic=1,keytype=SCHEMA,subject={subject},version={target.Version}}}");
            }
            var records = new List<(byte[], byte[]?)>();
            if (!permanent)
            {
                records.Add((StoreRecords.SchemaKey(subject, target.Version), StoreRecords.SchemaValue(target with { Deleted = true })));
            }
            else
            {
                records.Add((StoreRecords.SchemaKey(subject, target.Version), null));
                if (all.Count == 1)
                {
                    AddSubjectSettingTombstones(subject, records);
                }
            }
            return (target.Version, records);
        }, ctx.RequestAborted).ConfigureAwait(false);
        await Json(ctx, w => w.WriteNumberValue(deleted)).ConfigureAwait(false);
    }

    private async Task Compatibility(HttpContext ctx, bool all)
    {
        var subject = Subject(ctx);
        var request = await ReadSchemaRequest(ctx).ConfigureAwait(false);
        await store.SyncAsync(ctx.RequestAborted).ConfigureAwait(false);
        var verbose = Flag(ctx, "verbose");
        var versions = store.Versions(subject, includeDeleted: false);
        // As Confluent's CompatibilityResource: one version (latest may be none) or every live one, judged by the
        // subject's level, so a non-transitive level still looks at the newest only.
        List<StoredSchema> against = versions;
        if (!all)
        {
            var version = Version(ctx);
            var chosen = version == -1 ? versions.LastOrDefault() : versions.FirstOrDefault(v => v.Version == version);
            against = chosen is null ? (version == -1 ? [] : throw RegistryException.VersionNotFound(version)) : [chosen];
        }
        List<string> messages;
        try
        {
            var parsed = ParsedSchema.Parse(request.SchemaType, request.Schema, store.Resolve(request.References));
            messages = Check(store.EffectiveCompatibility(subject), parsed, against);
        }
        catch (RegistryException ex) when (verbose && ex.ErrorCode == 42201)
        {
            messages = [ex.Message];
        }
        await Json(ctx, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("is_compatible", messages.Count == 0);
            if (verbose)
            {
                w.WriteStartArray("messages");
                messages.ForEach(w.WriteStringValue);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Confluent's CompatibilityChecker: the level's strategy over the latest (or, transitive, every) earlier version, newest
    /// first, stopping at the first failing one; the details end with the old version, the old schema and the level.
    /// </summary>
    private List<string> Check(string level, ParsedSchema candidate, List<StoredSchema> previous)
    {
        if (level == "NONE" || previous.Count == 0)
        {
            return [];
        }
        var transitive = level.EndsWith("_TRANSITIVE", StringComparison.Ordinal);
        var chain = transitive ? previous.AsEnumerable().Reverse().ToList() : [previous[^1]];
        foreach (var old in chain)
        {
            var messages = new List<string>();
            if (old.SchemaType != candidate.SchemaType)
            {
                messages.Add("Incompatible because of different schema type");
            }
            else
            {
                var oldParsed = store.Parsed(old);
                var mode = level.Replace("_TRANSITIVE", "", StringComparison.Ordinal);
                if (mode is "FORWARD" or "FULL")
                {
                    var forward = oldParsed.ReadsFrom(candidate).Select(m => ParsedSchema.FormatSides(m, "old", "new")).ToList();
                    messages.AddRange(forward);
                    if (mode == "FORWARD" && forward.Count > 0)
                    {
                        AddOld(messages, old);
                    }
                }
                if (mode is "BACKWARD" or "FULL")
                {
                    var backward = candidate.ReadsFrom(oldParsed).Select(m => ParsedSchema.FormatSides(m, "new", "old")).ToList();
                    messages.AddRange(backward);
                    if (backward.Count > 0)
                    {
                        AddOld(messages, old);
                    }
                }
            }
            if (messages.Count > 0)
            {
                messages.Add($"{{validateFields: 'false', compatibility: '{level}'}}");
                return messages;
            }
        }
        return [];
    }

    private static void AddOld(List<string> messages, StoredSchema old)
    {
        messages.Add($"{{oldSchemaVersion: {old.Version}}}");
        messages.Add($"{{oldSchema: '{old.Schema}'}}");
    }

    // ---- config and mode ----

    private static Task WriteConfig(HttpContext ctx, string field, string level) => Json(ctx, w =>
    {
        w.WriteStartObject();
        w.WriteString(field, level);
        w.WriteEndObject();
    });

    private async Task PutConfig(HttpContext ctx, string? subject)
    {
        using var body = await ReadBody(ctx).ConfigureAwait(false);
        var level = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("compatibility", out var c)
            && c.ValueKind == JsonValueKind.String ? c.GetString()!.ToUpperInvariant() : null;
        if (level is null || !SchemaRegistryOptions.Levels.Contains(level))
        {
            throw RegistryException.InvalidCompatibility();
        }
        await store.WriteAsync(() =>
        {
            if (subject is not null && store.EffectiveMode(subject) == "READONLY")
            {
                throw RegistryException.ReadOnly(subject);
            }
            return (0, new List<(byte[], byte[]?)> { (StoreRecords.SubjectKey("CONFIG", subject), StoreRecords.ConfigValue(subject, level)) });
        }, ctx.RequestAborted).ConfigureAwait(false);
        await WriteConfig(ctx, "compatibility", level).ConfigureAwait(false);
    }

    private async Task DeleteConfig(HttpContext ctx, string? subject)
    {
        var previous = await store.WriteAsync(() =>
        {
            var current = store.Config(subject);
            if (subject is not null && current is null)
            {
                throw store.Versions(subject, includeDeleted: true).Count == 0
                    ? RegistryException.SubjectNotFound(subject)
                    : RegistryException.SubjectConfigNotConfigured(subject);
            }
            var records = current is null ? [] : new List<(byte[], byte[]?)> { (StoreRecords.SubjectKey("CONFIG", subject), null) };
            return (current ?? store.DefaultCompatibility, records);
        }, ctx.RequestAborted).ConfigureAwait(false);
        await WriteConfig(ctx, "compatibilityLevel", previous).ConfigureAwait(false);
    }

    private static Task WriteMode(HttpContext ctx, string mode) => Json(ctx, w =>
    {
        w.WriteStartObject();
        w.WriteString("mode", mode);
        w.WriteEndObject();
    });

    private async Task PutMode(HttpContext ctx, string? subject)
    {
        using var body = await ReadBody(ctx).ConfigureAwait(false);
        var mode = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("mode", out var m)
            && m.ValueKind == JsonValueKind.String ? m.GetString()!.ToUpperInvariant() : null;
        if (mode is null || !s_modes.Contains(mode))
        {
            throw RegistryException.InvalidMode();
        }
        if (!options.ModeMutability)
        {
            throw RegistryException.NotPermitted("Mode changes are not allowed");
        }
        var force = Flag(ctx, "force");
        await store.WriteAsync(() =>
        {
            if (mode == "IMPORT" && !force && (subject is null ? store.Subjects(true, null).Count > 0 : store.Versions(subject, true).Count > 0))
            {
                throw RegistryException.NotPermitted("Cannot import since found existing subjects");
            }
            return (0, new List<(byte[], byte[]?)> { (StoreRecords.SubjectKey("MODE", subject), StoreRecords.ModeValue(subject, mode)) });
        }, ctx.RequestAborted).ConfigureAwait(false);
        await WriteMode(ctx, mode).ConfigureAwait(false);
    }

    private async Task DeleteMode(HttpContext ctx)
    {
        var subject = Subject(ctx);
        if (!options.ModeMutability)
        {
            throw RegistryException.NotPermitted("Mode changes are not allowed");
        }
        var previous = await store.WriteAsync(() =>
        {
            var current = store.Mode(subject) ?? throw RegistryException.SubjectModeNotConfigured(subject);
            return (current, new List<(byte[], byte[]?)> { (StoreRecords.SubjectKey("MODE", subject), null) });
        }, ctx.RequestAborted).ConfigureAwait(false);
        await WriteMode(ctx, previous).ConfigureAwait(false);
    }

    // ---- request and response helpers ----

    private sealed record SchemaRequest(string Schema, string? SchemaType, List<SchemaReference> References, int? Id, int? Version);

    private static async Task<SchemaRequest> ReadSchemaRequest(HttpContext ctx)
    {
        using var body = await ReadBody(ctx).ConfigureAwait(false);
        var root = body.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RegistryException(422, 422, "Unrecognized request body: expected a JSON object");
        }
        var schema = root.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        if (string.IsNullOrEmpty(schema))
        {
            throw RegistryException.InvalidSchema("Empty schema");
        }
        return new SchemaRequest(
            schema,
            root.TryGetProperty("schemaType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.ToUpperInvariant() : null,
            root.TryGetProperty("references", out var r) ? StoreRecords.ReadReferences(r) : [],
            root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt32() : null,
            root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null);
    }

    private static async Task<JsonDocument> ReadBody(HttpContext ctx)
    {
        try
        {
            return await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            // Confluent's rest-utils maps Jackson's parse failures to 400 with error_code 400.
            throw new RegistryException(400, 400, "Unexpected character in request body: " + ex.Message);
        }
    }

    private static string Subject(HttpContext ctx) => Uri.UnescapeDataString((string)ctx.Request.RouteValues["subject"]!);

    /// <summary>Confluent's VersionId: 1 … 2^31-1, "latest" or -1 (both the latest).</summary>
    private static int Version(HttpContext ctx)
    {
        var text = (string)ctx.Request.RouteValues["version"]!;
        if (text.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            return -1;
        }
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && (v >= 1 || v == -1))
        {
            return v;
        }
        throw RegistryException.InvalidVersion(text);
    }

    private static bool Flag(HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var v) && v.ToString().Equals("true", StringComparison.OrdinalIgnoreCase);

    private static void WriteSchema(Utf8JsonWriter w, StoredSchema s, bool withSubjectAndVersion)
    {
        w.WriteStartObject();
        if (withSubjectAndVersion)
        {
            w.WriteString("subject", s.Subject);
            w.WriteNumber("version", s.Version);
            w.WriteNumber("id", s.Id);
        }
        // Confluent's responses leave schemaType out for Avro (its clients read a missing type as AVRO).
        if (s.SchemaType != "AVRO")
        {
            w.WriteString("schemaType", s.SchemaType);
        }
        if (s.References.Count > 0)
        {
            w.WriteStartArray("references");
            foreach (var r in s.References)
            {
                StoreRecords.WriteReference(w, r);
            }
            w.WriteEndArray();
        }
        w.WriteString("schema", s.Schema);
        w.WriteEndObject();
    }

    private static void StringArray(Utf8JsonWriter w, IEnumerable<string> values)
    {
        w.WriteStartArray();
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }

    internal static async Task Json(HttpContext ctx, Action<Utf8JsonWriter> body, bool end = false, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = ContentType;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            body(w);
            if (end)
            {
                w.WriteEndObject();
            }
        }
        await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static Task Raw(HttpContext ctx, string schema)
    {
        ctx.Response.ContentType = ContentType;
        return ctx.Response.WriteAsync(schema, ctx.RequestAborted);
    }

    internal static Task Error(HttpContext ctx, int status, int code, string message) => Json(ctx, w =>
    {
        w.WriteStartObject();
        w.WriteNumber("error_code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
    }, status: status);
}
