// DescribeUserScramCredentials (key 50), v0: each user's SCRAM mechanisms and iteration counts (never salts or keys).
// No users (null or empty) means every user; an unknown user is RESOURCE_NOT_FOUND, a user asked for twice
// DUPLICATE_RESOURCE, as Kafka answers.
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;
using KafkaConnect.Security;

namespace KafkaConnect.Broker.Handlers;

internal sealed class DescribeUserScramCredentialsHandler : SyncApiHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>
{
    public override ApiKey Key => ApiKey.DescribeUserScramCredentials;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override DescribeUserScramCredentialsResponse Handle(RequestContext context, DescribeUserScramCredentialsRequest request)
    {
        var store = context.Broker.Scram;
        var response = new DescribeUserScramCredentialsResponse { ErrorMessage = null };
        var wanted = request.Users is { Count: > 0 } users ? users.Select(u => u.Name).ToList() : store.Users().ToList();
        var duplicates = wanted.GroupBy(u => u, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var user in wanted.Distinct(StringComparer.Ordinal))
        {
            var result = new DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult { User = user, ErrorMessage = null };
            var credentials = store.Describe(user);
            if (duplicates.Contains(user))
            {
                result.ErrorCode = (short)ErrorCode.DuplicateResource;
                result.ErrorMessage = $"Cannot describe SCRAM credentials for the same user twice in a single request: {user}";
            }
            else if (credentials.Count == 0)
            {
                result.ErrorCode = (short)ErrorCode.ResourceNotFound;
                result.ErrorMessage = $"Attempt to describe nonexistent SCRAM credential for user {user}";
            }
            foreach (var (mechanism, iterations) in result.ErrorCode == 0 ? credentials : [])
                result.CredentialInfos.Add(new DescribeUserScramCredentialsResponse.CredentialInfo { Mechanism = (sbyte)mechanism.Type(), Iterations = iterations });
            response.Results.Add(result);
        }
        return response;
    }
}
