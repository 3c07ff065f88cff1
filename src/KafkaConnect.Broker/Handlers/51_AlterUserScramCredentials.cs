// AlterUserScramCredentials (key 51), v0: deletes and upserts SCRAM credentials (the client salts the password; the
// broker keeps only the derived keys). Kafka's rules: 4096..16384 iterations else UNACCEPTABLE_CREDENTIAL, an unknown
// mechanism UNSUPPORTED_SASL_MECHANISM, deleting a credential that does not exist RESOURCE_NOT_FOUND, one user's
// mechanism twice in a request DUPLICATE_RESOURCE. A user with any error keeps its credentials; the others' changes
// are stored durably before the answer.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Security;

namespace KafkaConnect.Broker.Handlers;

internal sealed class AlterUserScramCredentialsHandler : SyncApiHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>
{
    public override ApiKey Key => ApiKey.AlterUserScramCredentials;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override AlterUserScramCredentialsResponse Handle(RequestContext context, AlterUserScramCredentialsRequest request)
    {
        var store = context.Broker.Scram;
        var errors = new Dictionary<string, (ErrorCode Code, string Message)>(StringComparer.Ordinal);
        var order = new List<string>();
        void Fail(string user, ErrorCode code, string message) => errors.TryAdd(user, (code, message));
        var seen = new HashSet<(string, sbyte)>();
        var changes = request.Deletions.Select(d => (d.Name, d.Mechanism))
            .Concat(request.Upsertions.Select(u => (u.Name, u.Mechanism)));
        foreach (var (name, mechanism) in changes)
        {
            if (!order.Contains(name, StringComparer.Ordinal)) order.Add(name);
            if (!seen.Add((name, mechanism))) Fail(name, ErrorCode.DuplicateResource, $"A user credential cannot be altered twice in the same request: {name}");
        }

        var deletions = new List<(string, ScramMechanism)>();
        foreach (var d in request.Deletions)
        {
            if (d.Name.Length == 0) Fail(d.Name, ErrorCode.UnacceptableCredential, "Username must not be empty");
            else if (!Scram.TryFromType((byte)d.Mechanism, out var m)) Fail(d.Name, ErrorCode.UnsupportedSaslMechanism, $"Unknown SCRAM mechanism {d.Mechanism}");
            else if (store.Get(d.Name, m) is null) Fail(d.Name, ErrorCode.ResourceNotFound, $"Attempt to delete a user credential that does not exist: {d.Name} ({m.Name()})");
            else deletions.Add((d.Name, m));
        }
        var upserts = new List<(string, ScramCredential)>();
        foreach (var u in request.Upsertions)
        {
            if (u.Name.Length == 0) Fail(u.Name, ErrorCode.UnacceptableCredential, "Username must not be empty");
            else if (!Scram.TryFromType((byte)u.Mechanism, out var m)) Fail(u.Name, ErrorCode.UnsupportedSaslMechanism, $"Unknown SCRAM mechanism {u.Mechanism}");
            else if (u.Iterations < Scram.MinIterations) Fail(u.Name, ErrorCode.UnacceptableCredential, $"Too few iterations: {u.Iterations} (at least {Scram.MinIterations})");
            else if (u.Iterations > Scram.MaxIterations) Fail(u.Name, ErrorCode.UnacceptableCredential, $"Too many iterations: {u.Iterations} (at most {Scram.MaxIterations})");
            else if (u.Salt.Length == 0 || u.SaltedPassword.Length == 0) Fail(u.Name, ErrorCode.UnacceptableCredential, "Salt and salted password must not be empty");
            else upserts.Add((u.Name, Scram.FromSaltedPassword(m, u.Salt, u.SaltedPassword, u.Iterations)));
        }
        store.Apply(deletions.Where(d => !errors.ContainsKey(d.Item1)), upserts.Where(u => !errors.ContainsKey(u.Item1)));

        var response = new AlterUserScramCredentialsResponse();
        foreach (var user in order)
        {
            var (code, message) = errors.TryGetValue(user, out var e) ? e : (ErrorCode.None, null!);
            response.Results.Add(new AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult { User = user, ErrorCode = (short)code, ErrorMessage = message });
        }
        return response;
    }
}
