using System.Text.RegularExpressions;
using KafkaConnect.Client.Config;
using KafkaConnect.Client.Groups;
using KafkaConnect.Client.Metrics;
using KafkaConnect.Protocol;
using KafkaConnect.Protocol.Messages;

namespace KafkaConnect.Client.Consumer;

/// <summary>
/// A Kafka consumer on the consumer group protocol. Not thread-safe: one caller polls, as with Java's consumer.
/// A background task keeps one fetch per leader broker in flight and decodes responses ahead of the application,
/// so the next batches arrive while the previous ones are processed; rebalances and their listener callbacks run
/// inside <see cref="PollAsync"/>.
/// </summary>
public sealed class KafkaConsumer : IAsyncDisposable
{
    private readonly KafkaCluster _cluster;
    private readonly GroupMember? _member;
    private readonly IConsumerRebalanceListener? _listener;
    private readonly List<IPartitionAssignor> _assignors = new();
    private readonly bool _cooperative;
    private readonly string _groupId;
    private readonly string? _instanceId;
    private readonly string _resetPolicy;
    private readonly bool _autoCommit;
    private readonly TimeSpan _autoCommitInterval;
    private readonly int _maxPollRecords;
    private readonly TimeProvider _time;
    private readonly string? _rack;
    private readonly bool _allowAutoCreate;
    private readonly bool _excludeInternal;
    private readonly Fetcher _fetcher;
    private readonly object _lock = new();
    private readonly ConsumerMetrics _metrics;
    private readonly Dictionary<TopicPartition, PartitionState> _assigned = new();
    private SortedSet<string> _subscription = new(StringComparer.Ordinal);
    private Regex? _pattern;
    private bool _subscribed;
    private long _lastAutoCommitTicks;
    private long _lastPatternRefreshTicks;
    private readonly CancellationTokenSource _closing = new();
    private Task? _subscriptionRefresh;
    private long _lastSubscriptionRefreshTicks;
    private int _missingTopicRefreshes;
    // Leader only: the partition count of every topic the group subscribed to when this member last assigned.
    private Dictionary<string, int>? _assignedPartitionCounts;
    private Task? _pendingLeave;
    private int _disposed;

    public KafkaConsumer(IReadOnlyDictionary<string, string> config, IConsumerRebalanceListener? listener = null)
        : this(config, listener, TimeProvider.System)
    {
    }

    internal KafkaConsumer(IReadOnlyDictionary<string, string> config, IConsumerRebalanceListener? listener, TimeProvider time)
    {
        var c = ConsumerConfig.Spec.Parse(config);
        _time = time;
        _listener = listener;
        _groupId = c.GetString("group.id");
        var cluster = ClusterOptions.From(c);
        if (cluster.ClientId.Length == 0) cluster = cluster with { ClientId = ClientMetrics.DefaultConsumerId(_groupId) };
        _metrics = new ConsumerMetrics(cluster.ClientId);
        _cluster = new KafkaCluster(cluster, _metrics.Network);
        _instanceId = c.GetString("group.instance.id") is { Length: > 0 } id ? id : null;
        _resetPolicy = c.GetString("auto.offset.reset").ToLowerInvariant();
        _autoCommit = c.GetBool("enable.auto.commit") && _groupId.Length > 0;
        _autoCommitInterval = TimeSpan.FromMilliseconds(c.GetInt("auto.commit.interval.ms"));
        _maxPollRecords = c.GetInt("max.poll.records");
        _rack = c.GetString("client.rack") is { Length: > 0 } r ? r : null;
        _allowAutoCreate = c.GetBool("allow.auto.create.topics");
        _excludeInternal = c.GetBool("exclude.internal.topics");
        foreach (var name in c.GetList("partition.assignment.strategy"))
        {
            var a = Assignors.Create(name)!;
            if (!_assignors.Exists(x => x.Name == a.Name)) _assignors.Add(a);
        }
        // Kafka uses the cooperative protocol only when every configured assignor supports it.
        _cooperative = _assignors.TrueForAll(a => a.Cooperative);
        _lastAutoCommitTicks = time.GetTimestamp();
        _fetcher = new Fetcher(_cluster, _lock, _assigned, new FetcherOptions(
            c.GetInt("fetch.min.bytes"), c.GetInt("fetch.max.bytes"), c.GetInt("fetch.max.wait.ms"),
            c.GetInt("max.partition.fetch.bytes"),
            c.GetString("isolation.level").Equals("read_committed", StringComparison.OrdinalIgnoreCase),
            c.GetBool("check.crcs"), c.GetBool("allow.auto.create.topics")), _metrics);
        _metrics.Attach(_lock, _assigned, readCommitted: c.GetString("isolation.level").Equals("read_committed", StringComparison.OrdinalIgnoreCase));
        if (_groupId.Length > 0)
        {
            _member = new GroupMember(_cluster, new GroupMemberOptions
            {
                GroupId = _groupId,
                GroupInstanceId = _instanceId,
                ProtocolType = ConsumerProtocol.ProtocolType,
                SessionTimeout = TimeSpan.FromMilliseconds(c.GetInt("session.timeout.ms")),
                RebalanceTimeout = TimeSpan.FromMilliseconds(c.GetInt("max.poll.interval.ms")),
                HeartbeatInterval = TimeSpan.FromMilliseconds(c.GetInt("heartbeat.interval.ms")),
                LeaveOnPollTimeout = true,
                Time = time,
            }, BuildProtocols, AssignAsLeader)
            {
                OnAssigned = OnAssignedAsync,
                OnRevoked = OnRevokedAsync,
                OnLost = OnLostAsync,
                Metrics = _metrics,
            };
        }
        _metrics.Register();
    }

    /// <summary>The client id this consumer sends and is measured under (client.id, else Apache's consumer-&lt;group&gt;-N).</summary>
    public string ClientId => _metrics.ClientId;

    /// <summary>The group membership, when group.id is set (generation, member id, leadership).</summary>
    public GroupMember? Group => _member;

    internal string DescribeFetcher() => _fetcher.Describe();

    public IReadOnlyCollection<TopicPartition> Assignment
    {
        get { lock (_lock) return _assigned.Keys.ToList(); }
    }

    public IReadOnlyCollection<string> Subscription
    {
        get { lock (_lock) return _subscription.ToList(); }
    }

    // ---- subscription and assignment ----

    public void Subscribe(IEnumerable<string> topics)
    {
        RequireGroup();
        var set = new SortedSet<string>(topics, StringComparer.Ordinal);
        lock (_lock)
        {
            ThrowIfManual();
            _pattern = null;
            _subscription = set;
            _subscribed = true;
        }
        _cluster.AddTopics(set);
        _member!.RequestRejoin();
    }

    public void Subscribe(Regex pattern)
    {
        RequireGroup();
        lock (_lock)
        {
            ThrowIfManual();
            _pattern = pattern;
            _subscription = new SortedSet<string>(StringComparer.Ordinal);
            _subscribed = true;
            _lastPatternRefreshTicks = 0;
        }
        _member!.RequestRejoin();
    }

    public void Unsubscribe()
    {
        lock (_lock)
        {
            _subscription = new SortedSet<string>(StringComparer.Ordinal);
            _pattern = null;
            var wasSubscribed = _subscribed;
            _subscribed = false;
            if (!wasSubscribed)
            {
                _assigned.Clear();
                _fetcher.Wake();
                return;
            }
        }
        // Leaving revokes through the listener; it completes before the next poll or dispose returns.
        _pendingLeave = _member!.LeaveAsync("the consumer unsubscribed");
    }

    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            if (_subscribed) throw new InvalidOperationException("Assign cannot be combined with Subscribe; call Unsubscribe first.");
            var wanted = new HashSet<TopicPartition>(partitions);
            foreach (var tp in _assigned.Keys.ToList())
                if (!wanted.Contains(tp)) _assigned.Remove(tp);
            foreach (var tp in wanted)
                if (!_assigned.ContainsKey(tp)) _assigned[tp] = new PartitionState(tp);
        }
        _cluster.AddTopics(Assignment.Select(tp => tp.Topic).Distinct());
        _fetcher.Wake();
    }

    private void RequireGroup()
    {
        if (_member is null) throw new InvalidOperationException("Subscribe needs group.id; use Assign without a group.");
    }

    private void ThrowIfManual()
    {
        if (!_subscribed && _assigned.Count > 0) throw new InvalidOperationException("Subscribe cannot be combined with Assign; call Unsubscribe first.");
    }

    // ---- positions ----

    public void Seek(TopicPartition tp, long offset)
    {
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset));
        lock (_lock)
        {
            State(tp).SeekTo(offset);
        }
        _fetcher.Wake();
    }

    public Task SeekToBeginningAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
        => SeekToTimestampAsync(partitions, -2, cancellationToken);

    public Task SeekToEndAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
        => SeekToTimestampAsync(partitions, -1, cancellationToken);

    private async Task SeekToTimestampAsync(IEnumerable<TopicPartition> partitions, long timestamp, CancellationToken ct)
    {
        var list = partitions.ToList();
        var offsets = await _fetcher.ListOffsetsAsync(list, timestamp, ct).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var (tp, offset) in offsets)
                if (_assigned.TryGetValue(tp, out var s)) s.SeekTo(offset);
        }
        _fetcher.Wake();
    }

    /// <summary>The offset of the next record to be returned, or null while unknown.</summary>
    public long? Position(TopicPartition tp)
    {
        lock (_lock) return State(tp).Position;
    }

    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
            foreach (var tp in partitions) State(tp).Paused = true;
    }

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
            foreach (var tp in partitions) State(tp).Paused = false;
        _fetcher.Wake();
    }

    public IReadOnlyCollection<TopicPartition> Paused()
    {
        lock (_lock) return _assigned.Values.Where(s => s.Paused).Select(s => s.Partition).ToList();
    }

    private PartitionState State(TopicPartition tp)
        => _assigned.TryGetValue(tp, out var s) ? s : throw new InvalidOperationException($"Partition {tp} is not assigned to this consumer.");

    // ---- polling ----

    public async Task<IReadOnlyList<ConsumeResult>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        if (_pendingLeave is { } leave)
        {
            _pendingLeave = null;
            await leave.ConfigureAwait(false);
        }
        _fetcher.Start();
        while (true)
        {
            _fetcher.ThrowPendingError();
            bool subscribed;
            lock (_lock) subscribed = _subscribed;
            if (subscribed)
            {
                await RefreshPatternAsync(cancellationToken).ConfigureAwait(false);
                WatchSubscribedTopics();
                await _member!.EnsureActiveAsync(cancellationToken).ConfigureAwait(false);
            }
            await MaybeAutoCommitAsync(cancellationToken).ConfigureAwait(false);
            await UpdatePositionsAsync(cancellationToken).ConfigureAwait(false);

            Task signal;
            List<ConsumeResult> records;
            lock (_lock)
            {
                signal = _fetcher.DataSignal;
                records = _fetcher.Drain(_maxPollRecords);
            }
            if (records.Count > 0) return records;
            var remaining = TimeSpan.FromSeconds((deadline - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
            if (remaining <= TimeSpan.Zero) return records;
            // Wake up regularly so rejoins and auto commits are not delayed by a long poll timeout.
            var wait = remaining < TimeSpan.FromMilliseconds(200) ? remaining : TimeSpan.FromMilliseconds(200);
            // A timeout is the normal idle case: no exception is thrown for it (this runs five times a second per consumer).
            await signal.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task RefreshPatternAsync(CancellationToken ct)
    {
        Regex? pattern;
        lock (_lock) pattern = _pattern;
        if (pattern is null) return;
        if (_time.GetElapsedTime(_lastPatternRefreshTicks) < _cluster.Options.MetadataMaxAge && _lastPatternRefreshTicks != 0) return;
        _lastPatternRefreshTicks = _time.GetTimestamp();
        var md = await _cluster.RefreshMetadataAsync(allTopics: true, cancellationToken: ct).ConfigureAwait(false);
        var matched = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var t in md.Topics.Values)
            if (!(_excludeInternal && t.IsInternal) && t.Error == ErrorCode.None && pattern.IsMatch(t.Name)) matched.Add(t.Name);
        bool changed;
        lock (_lock)
        {
            changed = !matched.SetEquals(_subscription);
            if (changed) _subscription = matched;
        }
        if (changed)
        {
            _cluster.AddTopics(matched);
            _member!.RequestRejoin();
        }
    }

    /// <summary>
    /// Keeps the subscribed topics' metadata current without blocking the poll: a topic that does not exist (yet) is
    /// looked up again after retry.backoff.ms, backing off to retry.backoff.max.ms (and the broker is asked to create
    /// it when allow.auto.create.topics is true), the others every metadata.max.age.ms. As Java's ConsumerCoordinator,
    /// the leader rejoins when a topic's partition count differs from the one its last assignment used, so a topic
    /// created (or grown) after the group formed gets assigned.
    /// </summary>
    private void WatchSubscribedTopics()
    {
        if (_subscriptionRefresh is { IsCompleted: true } done)
        {
            _subscriptionRefresh = null;
            // A failed lookup (broker unreachable) is retried on the same schedule; the fetcher reports outages.
            _ = done.Exception;
        }
        var md = _cluster.Metadata;
        HashSet<string> watched;
        Dictionary<string, int>? snapshot;
        lock (_lock)
        {
            watched = new HashSet<string>(_subscription, StringComparer.Ordinal);
            snapshot = _assignedPartitionCounts;
        }
        if (snapshot is not null)
        {
            watched.UnionWith(snapshot.Keys);
            if (_member!.IsStable && _member.IsLeader && PartitionCountsChanged(md, snapshot)) _member.RequestRejoin();
        }
        if (watched.Count == 0 || _subscriptionRefresh is not null) return;
        var missing = false;
        foreach (var t in watched) missing |= PartitionCount(md, t) is null or 0;
        _missingTopicRefreshes = missing ? _missingTopicRefreshes : 0;
        var interval = missing ? _cluster.Backoff(_missingTopicRefreshes) : _cluster.Options.MetadataMaxAge;
        if (_lastSubscriptionRefreshTicks != 0 && _time.GetElapsedTime(_lastSubscriptionRefreshTicks) < interval) return;
        if (missing) _missingTopicRefreshes++;
        _lastSubscriptionRefreshTicks = _time.GetTimestamp();
        var token = _closing.Token;
        _subscriptionRefresh = Task.Run(() => _cluster.RefreshMetadataAsync(watched, allowAutoCreate: _allowAutoCreate, cancellationToken: token), token);
    }

    /// <summary>A topic's partition count: 0 when the broker says it does not exist, null while unknown or unsettled.</summary>
    private static int? PartitionCount(ClusterMetadata md, string topic)
    {
        if (!md.Topics.TryGetValue(topic, out var tm)) return null;
        return tm.Error switch
        {
            ErrorCode.None => tm.Partitions.Count,
            ErrorCode.UnknownTopicOrPartition => 0,
            _ => null,
        };
    }

    private static bool PartitionCountsChanged(ClusterMetadata md, Dictionary<string, int> snapshot)
    {
        foreach (var (topic, count) in snapshot)
            if (PartitionCount(md, topic) is { } now && now != count) return true;
        return false;
    }

    /// <summary>Positions of partitions without one: the committed offset, else auto.offset.reset.</summary>
    private async Task UpdatePositionsAsync(CancellationToken ct)
    {
        List<TopicPartition> lookup, reset;
        lock (_lock)
        {
            lookup = new List<TopicPartition>();
            reset = new List<TopicPartition>();
            foreach (var s in _assigned.Values)
            {
                if (s.NeedsReset) reset.Add(s.Partition);
                else if (s.Position is null) lookup.Add(s.Partition);
            }
        }
        if (lookup.Count == 0 && reset.Count == 0) return;
        if (lookup.Count > 0)
        {
            var committed = _member is null
                ? lookup.ToDictionary(tp => tp, _ => (long?)null)
                : await CommittedAsync(lookup, ct).ConfigureAwait(false);
            lock (_lock)
            {
                foreach (var (tp, offset) in committed)
                {
                    if (!_assigned.TryGetValue(tp, out var s) || s.Position is not null || s.NeedsReset) continue;
                    if (offset is { } o) s.SeekTo(o);
                    else { s.NeedsReset = true; reset.Add(tp); }
                }
            }
            _fetcher.Wake();
        }
        if (reset.Count == 0) return;
        if (_resetPolicy == "none")
        {
            var tp = reset[0];
            bool hadPosition;
            lock (_lock) hadPosition = _assigned.TryGetValue(tp, out var s) && s.Position is not null;
            throw new NoOffsetForPartitionException(tp, hadPosition
                ? $"Offset out of range for {tp} and auto.offset.reset is none."
                : $"No committed offset for {tp} and auto.offset.reset is none.");
        }
        var offsets = await _fetcher.ListOffsetsAsync(reset, _resetPolicy == "earliest" ? -2 : -1, ct).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var (tp, offset) in offsets)
                if (_assigned.TryGetValue(tp, out var s) && s.NeedsReset) s.SeekTo(offset);
        }
        _fetcher.Wake();
    }

    // ---- commits ----

    private async Task MaybeAutoCommitAsync(CancellationToken ct)
    {
        if (!_autoCommit || _time.GetElapsedTime(_lastAutoCommitTicks) < _autoCommitInterval) return;
        _lastAutoCommitTicks = _time.GetTimestamp();
        try
        {
            await CommitAsync(ct).ConfigureAwait(false);
        }
        catch (KafkaException ex) when (ex.IsRetriable || ex.Error is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
        {
            // The next interval (or the revoke) commits again.
        }
    }

    /// <summary>Commits the current positions of all assigned partitions.</summary>
    public Task CommitAsync(CancellationToken cancellationToken = default)
    {
        Dictionary<TopicPartition, long> offsets;
        lock (_lock)
        {
            offsets = new Dictionary<TopicPartition, long>();
            foreach (var s in _assigned.Values)
                if (s.Position is { } p && p != s.LastCommitted) offsets[s.Partition] = p;
        }
        return offsets.Count == 0 ? Task.CompletedTask : CommitAsync(offsets, cancellationToken);
    }

    /// <summary>Commits the given offsets (the offset of the next record to read) for the group.</summary>
    public async Task CommitAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken cancellationToken = default)
    {
        if (_member is null) throw new InvalidOperationException("Committing needs group.id.");
        if (offsets.Count == 0) return;
        var attempt = 0;
        var deadline = _time.GetTimestamp() + (long)(_cluster.Options.RequestTimeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            ErrorCode error;
            try
            {
                error = await CommitOnceAsync(offsets, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaConnectionException)
            {
                _member.MarkCoordinatorUnknown();
                error = ErrorCode.CoordinatorNotAvailable;
            }
            if (error == ErrorCode.None)
            {
                lock (_lock)
                    foreach (var (tp, o) in offsets)
                        if (_assigned.TryGetValue(tp, out var s)) s.LastCommitted = o;
                return;
            }
            if (error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable) _member.MarkCoordinatorUnknown();
            var retriable = error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress
                or ErrorCode.RequestTimedOut or ErrorCode.UnknownTopicOrPartition;
            if (!retriable || _time.GetTimestamp() > deadline)
            {
                if (error is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId or ErrorCode.FencedInstanceId)
                    _member.RequestRejoin();
                throw new KafkaException(error, $"Offset commit for group '{_groupId}' failed: {error}.");
            }
            await Task.Delay(_cluster.Backoff(attempt++), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ErrorCode> CommitOnceAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct)
    {
        var connection = await _member!.CoordinatorConnectionAsync(ct).ConfigureAwait(false);
        var version = connection.NegotiateVersion(ApiKey.OffsetCommit, 2, 8);
        bool subscribed;
        lock (_lock) subscribed = _subscribed;
        var (generation, memberId) = subscribed ? _member.CommitIdentity() : (-1, "");
        var request = new OffsetCommitRequest
        {
            GroupId = _groupId,
            GenerationIdOrMemberEpoch = generation,
            MemberId = memberId,
            GroupInstanceId = subscribed ? _instanceId : null,
            RetentionTimeMs = -1,
        };
        foreach (var group in offsets.GroupBy(kv => kv.Key.Topic))
        {
            var topic = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = group.Key };
            foreach (var (tp, offset) in group)
                topic.Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = tp.Partition, CommittedOffset = offset, CommittedLeaderEpoch = -1, CommittedMetadata = "" });
            request.Topics.Add(topic);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_cluster.Options.RequestTimeout);
        var started = Environment.TickCount64;
        var response = await connection.SendAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, version, request, timeout.Token).ConfigureAwait(false);
        Interlocked.Increment(ref _metrics.Commits);
        _metrics.CommitLatencyMs.Record(Environment.TickCount64 - started);
        foreach (var t in response.Topics)
            foreach (var p in t.Partitions)
                if (p.ErrorCode != 0) return (ErrorCode)p.ErrorCode;
        return ErrorCode.None;
    }

    /// <summary>The group's committed offsets (null where none is committed).</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long?>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        if (_member is null) throw new InvalidOperationException("Committed offsets need group.id.");
        var list = partitions.ToList();
        var attempt = 0;
        var deadline = _time.GetTimestamp() + (long)(_cluster.Options.RequestTimeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            ErrorCode error;
            try
            {
                var connection = await _member.CoordinatorConnectionAsync(cancellationToken).ConfigureAwait(false);
                var version = connection.NegotiateVersion(ApiKey.OffsetFetch, 1, 7);
                var request = new OffsetFetchRequest { GroupId = _groupId, RequireStable = true, Topics = new() };
                foreach (var group in list.GroupBy(tp => tp.Topic))
                    request.Topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopic { Name = group.Key, PartitionIndexes = group.Select(tp => tp.Partition).ToList() });
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_cluster.Options.RequestTimeout);
                var response = await connection.SendAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, version, request, timeout.Token).ConfigureAwait(false);
                error = (ErrorCode)response.ErrorCode;
                var result = new Dictionary<TopicPartition, long?>();
                foreach (var t in response.Topics)
                {
                    foreach (var p in t.Partitions)
                    {
                        if (p.ErrorCode != 0 && error == ErrorCode.None) error = (ErrorCode)p.ErrorCode;
                        result[new TopicPartition(t.Name, p.PartitionIndex)] = p.CommittedOffset >= 0 ? p.CommittedOffset : null;
                    }
                }
                if (error == ErrorCode.None)
                {
                    foreach (var tp in list) result.TryAdd(tp, null);
                    return result;
                }
            }
            catch (KafkaConnectionException)
            {
                error = ErrorCode.CoordinatorNotAvailable;
            }
            if (error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable) _member.MarkCoordinatorUnknown();
            var retriable = error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress
                or ErrorCode.UnstableOffsetCommit or ErrorCode.RequestTimedOut;
            if (!retriable || _time.GetTimestamp() > deadline)
                throw new KafkaException(error, $"Fetching committed offsets for group '{_groupId}' failed: {error}.");
            await Task.Delay(_cluster.Backoff(attempt++), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- group protocol callbacks (run inside PollAsync via GroupMember.EnsureActiveAsync) ----

    private IReadOnlyList<GroupProtocol> BuildProtocols()
    {
        List<string> topics;
        List<TopicPartition> owned;
        lock (_lock)
        {
            topics = _subscription.ToList();
            owned = _assigned.Keys.ToList();
        }
        owned.Sort();
        var generation = _member!.Generation;
        var result = new List<GroupProtocol>(_assignors.Count);
        foreach (var a in _assignors)
        {
            var subscription = new Subscription(topics, a.SubscriptionUserData(generation), owned, generation, _rack);
            result.Add(new GroupProtocol(a.Name, ConsumerProtocol.EncodeSubscription(subscription)));
        }
        return result;
    }

    private Dictionary<string, byte[]> AssignAsLeader(IReadOnlyList<(string MemberId, string? InstanceId, byte[] Metadata)> members, string protocol)
    {
        var assignor = _assignors.Find(a => a.Name == protocol) ?? throw new InvalidOperationException($"The group chose assignor '{protocol}', which this consumer does not have.");
        var subscriptions = new List<MemberSubscription>(members.Count);
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (memberId, instanceId, metadata) in members)
        {
            var s = ConsumerProtocol.DecodeSubscription(metadata);
            subscriptions.Add(new MemberSubscription(memberId, instanceId, s));
            topics.UnionWith(s.Topics);
        }
        var md = _cluster.Metadata;
        _cluster.AddTopics(topics);
        if (!topics.All(t => PartitionCount(md, t) > 0))
        {
            // The assignor callback is synchronous; the leader must know every member's topics before assigning.
            md = _cluster.RefreshMetadataAsync(topics.ToList(), allowAutoCreate: _allowAutoCreate).GetAwaiter().GetResult();
        }
        var partitionsPerTopic = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in topics)
        {
            var count = PartitionCount(md, t) ?? 0;
            counts[t] = count;
            if (count > 0) partitionsPerTopic[t] = count;
        }
        lock (_lock) _assignedPartitionCounts = counts;
        var assignment = assignor.Assign(partitionsPerTopic, subscriptions);
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var m in subscriptions)
            result[m.MemberId] = ConsumerProtocol.EncodeAssignment(assignment.TryGetValue(m.MemberId, out var list) ? list : []);
        return result;
    }

    private async Task OnAssignedAsync(int generation, string protocol, byte[] bytes, string leaderId)
    {
        var assigned = ConsumerProtocol.DecodeAssignment(bytes);
        if (leaderId != _member!.MemberId)
        {
            lock (_lock) _assignedPartitionCounts = null;
        }
        var wanted = new HashSet<TopicPartition>(assigned);
        List<TopicPartition> revoked, added;
        lock (_lock)
        {
            revoked = _assigned.Keys.Where(tp => !wanted.Contains(tp)).ToList();
            added = assigned.Where(tp => !_assigned.ContainsKey(tp)).ToList();
        }
        if (revoked.Count > 0)
        {
            // Cooperative: hand over what moved, then rejoin so the new owner can get it.
            await RevokeAsync(revoked).ConfigureAwait(false);
            _member!.RequestRejoin();
        }
        lock (_lock)
        {
            foreach (var tp in added) _assigned[tp] = new PartitionState(tp);
        }
        _cluster.AddTopics(added.Select(tp => tp.Topic).Distinct());
        _fetcher.Wake();
        if (_listener is not null) await _listener.OnPartitionsAssigned(added).ConfigureAwait(false);
    }

    private async Task OnRevokedAsync()
    {
        List<TopicPartition> revoked;
        lock (_lock)
        {
            revoked = _cooperative && _subscribed
                ? _assigned.Keys.Where(tp => !_subscription.Contains(tp.Topic)).ToList()
                : _assigned.Keys.ToList();
        }
        if (revoked.Count > 0) await RevokeAsync(revoked).ConfigureAwait(false);
    }

    private async Task RevokeAsync(List<TopicPartition> revoked)
    {
        if (_autoCommit)
        {
            var offsets = new Dictionary<TopicPartition, long>();
            lock (_lock)
                foreach (var tp in revoked)
                    if (_assigned.TryGetValue(tp, out var s) && s.Position is { } p && p != s.LastCommitted) offsets[tp] = p;
            try
            {
                await CommitAsync(offsets).ConfigureAwait(false);
            }
            catch (KafkaException)
            {
                // The generation may already be gone; the new owner re-reads from the last commit.
            }
        }
        if (_listener is not null) await _listener.OnPartitionsRevoked(revoked).ConfigureAwait(false);
        lock (_lock)
            foreach (var tp in revoked) _assigned.Remove(tp);
        _fetcher.Wake();
    }

    private async Task OnLostAsync()
    {
        List<TopicPartition> lost;
        lock (_lock)
        {
            lost = _assigned.Keys.ToList();
            _assigned.Clear();
        }
        _fetcher.Wake();
        if (lost.Count > 0 && _listener is not null) await _listener.OnPartitionsLost(lost).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await CloseAsync().ConfigureAwait(false);
        }
        finally
        {
            _metrics.Unregister();
        }
    }

    private async Task CloseAsync()
    {
        try
        {
            if (_pendingLeave is { } leave) await leave.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KafkaException or KafkaConnectionException)
        {
        }
        await _closing.CancelAsync().ConfigureAwait(false);
        if (_subscriptionRefresh is { } refresh) await refresh.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _closing.Dispose();
        await _fetcher.StopAsync().ConfigureAwait(false);
        if (_member is not null)
        {
            bool subscribed;
            lock (_lock) subscribed = _subscribed;
            if (_autoCommit && !subscribed)
            {
                try { await CommitAsync().ConfigureAwait(false); }
                catch (Exception ex) when (ex is KafkaException or KafkaConnectionException) { }
            }
            // Leaving runs the revoke callback, which commits for subscribed consumers.
            await _member.DisposeAsync().ConfigureAwait(false);
        }
        await _cluster.DisposeAsync().ConfigureAwait(false);
    }
}
