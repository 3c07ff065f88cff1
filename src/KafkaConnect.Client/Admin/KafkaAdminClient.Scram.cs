using System.Security.Cryptography;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Security;

namespace KafkaConnect.Client.Admin;

/// <summary>A SCRAM mechanism and its iteration count, as DescribeUserScramCredentials shows a credential.</summary>
public sealed record ScramCredentialInfo(ScramMechanism Mechanism, int Iterations);

/// <summary>A user's SCRAM credentials (mechanisms and iterations; salts and keys never leave the broker).</summary>
public sealed record UserScramCredentialsDescription(string User, IReadOnlyList<ScramCredentialInfo> Credentials);

/// <summary>A change to one user's SCRAM credentials (Kafka's UserScramCredentialAlteration).</summary>
public abstract record UserScramCredentialAlteration(string User);

/// <summary>
/// Sets a user's credential for a mechanism. The password is salted and hashed here, so it never travels; without a
/// salt a random one is chosen (as Kafka's admin client does).
/// </summary>
public sealed record UserScramCredentialUpsertion(string User, ScramCredentialInfo Info, string Password, byte[]? Salt = null) : UserScramCredentialAlteration(User);

/// <summary>Removes a user's credential for a mechanism.</summary>
public sealed record UserScramCredentialDeletion(string User, ScramMechanism Mechanism) : UserScramCredentialAlteration(User);

public sealed partial class KafkaAdminClient
{
    /// <summary>
    /// Creates, replaces or deletes SCRAM credentials (as <c>kafka-configs --alter --add-config 'SCRAM-SHA-256=[...]'</c>).
    /// Throws a <see cref="KafkaException"/> naming the users the broker refused (UNACCEPTABLE_CREDENTIAL for
    /// iterations outside 4096..16384, RESOURCE_NOT_FOUND for deleting a credential that does not exist, ...).
    /// </summary>
    public async Task AlterUserScramCredentialsAsync(IEnumerable<UserScramCredentialAlteration> alterations, CancellationToken cancellationToken = default)
    {
        const string operation = "AlterUserScramCredentials";
        // Salted once, before any retry, so a retried request carries the same credential.
        var request = new AlterUserScramCredentialsRequest();
        foreach (var a in alterations)
        {
            switch (a)
            {
                case UserScramCredentialUpsertion u:
                    var salt = u.Salt ?? RandomNumberGenerator.GetBytes(32);
                    request.Upsertions.Add(new AlterUserScramCredentialsRequest.ScramCredentialUpsertion
                    {
                        Name = u.User,
                        Mechanism = (sbyte)u.Info.Mechanism.Type(),
                        Iterations = u.Info.Iterations,
                        Salt = salt,
                        SaltedPassword = Scram.SaltedPassword(u.Info.Mechanism, u.Password, salt, Math.Max(1, u.Info.Iterations)),
                    });
                    break;
                case UserScramCredentialDeletion d:
                    request.Deletions.Add(new AlterUserScramCredentialsRequest.ScramCredentialDeletion { Name = d.User, Mechanism = (sbyte)d.Mechanism.Type() });
                    break;
            }
        }
        if (request.Upsertions.Count + request.Deletions.Count == 0) return;
        var outcome = new Outcome();
        await RetryAsync(operation, async ct =>
        {
            var connection = await GetControllerConnectionAsync(ct).ConfigureAwait(false);
            var response = await SendAsync<AlterUserScramCredentialsResponse>(connection, ApiKey.AlterUserScramCredentials, 0, 0, _ => request, ct).ConfigureAwait(false);
            foreach (var r in response.Results) outcome.Record($"user '{r.User}'", (ErrorCode)r.ErrorCode, r.ErrorMessage);
            if (outcome.Retriable?.Error == ErrorCode.NotController) await RefreshControllerAsync(ct).ConfigureAwait(false);
            outcome.ThrowIfRetriable(operation);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
    }

    /// <summary>
    /// The SCRAM credentials of the given users, or of every user when none are given. A user without credentials is
    /// an error (RESOURCE_NOT_FOUND), as in Kafka.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, UserScramCredentialsDescription>> DescribeUserScramCredentialsAsync(
        IEnumerable<string>? users = null, CancellationToken cancellationToken = default)
    {
        const string operation = "DescribeUserScramCredentials";
        var wanted = users?.ToList();
        var outcome = new Outcome();
        var result = await RetryAsync(operation, async ct =>
        {
            var connection = await _cluster.GetAnyConnectionAsync(ct).ConfigureAwait(false);
            var response = await SendAsync<DescribeUserScramCredentialsResponse>(connection, ApiKey.DescribeUserScramCredentials, 0, 0, _ => new DescribeUserScramCredentialsRequest
            {
                Users = wanted?.Select(u => new DescribeUserScramCredentialsRequest.UserName { Name = u }).ToList(),
            }, ct).ConfigureAwait(false);
            if (response.ErrorCode != 0) throw Error(operation, "the request", (ErrorCode)response.ErrorCode, response.ErrorMessage);
            var descriptions = new Dictionary<string, UserScramCredentialsDescription>(StringComparer.Ordinal);
            foreach (var r in response.Results)
            {
                if (!outcome.Record($"user '{r.User}'", (ErrorCode)r.ErrorCode, r.ErrorMessage) || r.ErrorCode != 0) continue;
                var infos = new List<ScramCredentialInfo>();
                foreach (var c in r.CredentialInfos)
                    if (Scram.TryFromType((byte)c.Mechanism, out var m)) infos.Add(new ScramCredentialInfo(m, c.Iterations));
                descriptions[r.User] = new UserScramCredentialsDescription(r.User, infos);
            }
            outcome.ThrowIfRetriable(operation);
            return descriptions;
        }, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfFailed(operation);
        return result;
    }
}
