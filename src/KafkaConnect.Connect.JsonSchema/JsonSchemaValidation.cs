using System.Text.Json;
using Json.Schema;
using KafkaConnect.Connect.Errors;

namespace KafkaConnect.Connect.JsonSchema;

/// <summary>Payload validation (<c>json.fail.invalid.schema</c>) with JsonSchema.Net, draft-07 as Confluent writes.</summary>
internal static class JsonSchemaValidation
{

    /// <summary>Builds a validator; referenced schemas are registered under their reference names beside it.</summary>
    public static global::Json.Schema.JsonSchema Build(string schemaText, IReadOnlyDictionary<string, string>? references)
    {
        try
        {
            var options = new BuildOptions { SchemaRegistry = new global::Json.Schema.SchemaRegistry(), Dialect = Dialect.Draft07 };
            foreach (var (name, text) in references ?? new Dictionary<string, string>())
            {
                var uri = new Uri(new Uri("https://kafkaconnect.invalid/"), name);
                options.SchemaRegistry.Register(uri, global::Json.Schema.JsonSchema.FromText(text, options, uri));
            }
            return global::Json.Schema.JsonSchema.FromText(schemaText, options, new Uri("https://kafkaconnect.invalid/schema.json"));
        }
        catch (Exception e) when (e is JsonException or JsonSchemaException or ArgumentException or InvalidOperationException)
        {
            throw new DataException("Invalid JSON Schema: " + e.Message, e);
        }
    }

    /// <summary>The first validation error as "location: message", or null when the value is valid.</summary>
    public static string? FirstError(global::Json.Schema.JsonSchema schema, JsonElement value)
    {
        var result = schema.Evaluate(value, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return null;
        }
        foreach (var detail in result.Details ?? [])
        {
            if (detail.Errors is { Count: > 0 } errors)
            {
                var location = detail.InstanceLocation.ToString();
                return (location.Length == 0 ? "(root)" : location) + ": " + string.Join("; ", errors.Values);
            }
        }
        return "invalid";
    }
}
