namespace KafkaConnect.Broker.Handlers;

/// <summary>Every API this broker serves. Adding an API key means adding its handler file and one line here.</summary>
internal static class HandlerRegistry
{
    public static IReadOnlyList<ApiHandler> Create() =>
    [
        new ProduceHandler(),
        new FetchHandler(),
        new ListOffsetsHandler(),
        new MetadataHandler(),
        new OffsetCommitHandler(),
        new OffsetFetchHandler(),
        new FindCoordinatorHandler(),
        new JoinGroupHandler(),
        new HeartbeatHandler(),
        new LeaveGroupHandler(),
        new SyncGroupHandler(),
        new DescribeGroupsHandler(),
        new ListGroupsHandler(),
        new SaslHandshakeHandler(),
        new ApiVersionsHandler(),
        new CreateTopicsHandler(),
        new DeleteTopicsHandler(),
        new DeleteRecordsHandler(),
        new InitProducerIdHandler(),
        new OffsetForLeaderEpochHandler(),
        new DescribeConfigsHandler(),
        new AlterConfigsHandler(),
        new SaslAuthenticateHandler(),
        new CreatePartitionsHandler(),
        new DeleteGroupsHandler(),
        new IncrementalAlterConfigsHandler(),
        new OffsetDeleteHandler(),
        new DescribeUserScramCredentialsHandler(),
        new AlterUserScramCredentialsHandler(),
        new DescribeClusterHandler(),
    ];
}
