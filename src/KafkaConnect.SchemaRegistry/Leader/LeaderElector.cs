using KafkaConnect.Client;
using KafkaConnect.Client.Config;
using KafkaConnect.Client.Groups;
using KafkaConnect.SchemaRegistry.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.SchemaRegistry.Leader;

internal enum LeaderRole
{
    /// <summary>No assignment yet, or a rebalance is under way.</summary>
    Electing,
    Self,
    Other,
    /// <summary>The group settled without a usable leader (none eligible, duplicate URLs, another topic's leader).</summary>
    None,
}

/// <summary>Who takes writes now; <see cref="Problem"/> says why there is nobody.</summary>
internal sealed record LeaderView(LeaderRole Role, RegistryIdentity? Leader = null, string? Problem = null)
{
    public static readonly LeaderView Electing = new(LeaderRole.Electing);
}

/// <summary>
/// Confluent's KafkaGroupLeaderElector on our <see cref="GroupMember"/>: joins <c>schema.registry.group.id</c> with
/// protocol type <c>sr</c>, and when this member leads the group it picks the registry leader for everyone. The join
/// runs in the background so start-up does not wait for it; writes wait for the election instead
/// (<see cref="WaitAsync"/>). Leadership is given up before rejoining, after in-flight writes finish, so a new leader
/// never reads the topic while the old one still has a write to append.
/// </summary>
internal sealed class LeaderElector : IAsyncDisposable
{
    private static int s_clientSequence;

    private readonly SchemaRegistryOptions _options;
    private RegistryIdentity _self;
    private readonly SchemaStore _store;
    private readonly ILogger _log;
    private readonly KafkaCluster _cluster;
    private readonly GroupMember _member;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private LeaderView _view = LeaderView.Electing;
    private TaskCompletionSource _changed = NewSignal();
    private bool _ledLastGeneration;
    private bool _stopped;
    private Task? _loop;

    public LeaderElector(SchemaRegistryOptions options, SchemaStore store, ILogger log)
    {
        _options = options;
        _self = new RegistryIdentity("unknown", 0, "http", options.LeaderEligibility, Topic: options.Topic);
        _store = store;
        _log = log;
        var client = new Dictionary<string, string>(options.ClientConfig, StringComparer.Ordinal);
        client.TryAdd("bootstrap.servers", options.BootstrapServers);
        // The store's client settings, already checked by its producer and consumer; keys only they know are skipped here.
        var common = new ConfigSpec(CommonClientConfig.Keys).Parse(client, static _ => true);
        _cluster = new KafkaCluster(ClusterOptions.From(common) with { ClientId = "sr-" + Interlocked.Increment(ref s_clientSequence) });
        _member = new GroupMember(_cluster, new GroupMemberOptions
        {
            GroupId = options.GroupId,
            ProtocolType = LeaderProtocol.ProtocolType,
            SessionTimeout = options.GroupSessionTimeout,
            RebalanceTimeout = options.GroupRebalanceTimeout,
            HeartbeatInterval = options.GroupHeartbeatInterval,
            Time = options.TimeProvider,
        }, Protocols, Assign)
        {
            OnAssigned = OnAssignedAsync,
            OnRevoked = GiveUpAsync,
            OnLost = GiveUpAsync,
        };
    }

    public RegistryIdentity Identity => _self;

    /// <summary>The current view; a member between generations (a rebalance was announced) is electing whatever it last heard.</summary>
    public LeaderView View
    {
        get
        {
            lock (_gate)
            {
                if (_stopped)
                {
                    return new LeaderView(LeaderRole.None, Problem: "This instance is shutting down.");
                }
                return _member.RejoinNeeded ? LeaderView.Electing : _view;
            }
        }
    }

    /// <summary>Whether this instance may append to the store now (checked under the store's writer lock).</summary>
    public bool IsLeader => View.Role == LeaderRole.Self;

    /// <summary>Joins the group in the background, advertising <paramref name="self"/> (known once the listener is bound).</summary>
    public void Start(RegistryIdentity self)
    {
        _self = self;
        _log.LogInformation("Joining registry group {Group} as {Identity}", _options.GroupId, _self);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// The view once the election has settled (and differs from <paramref name="unlike"/>, a leader found unreachable), or
    /// the current one after <paramref name="timeout"/>.
    /// </summary>
    public async Task<LeaderView> WaitAsync(TimeSpan timeout, CancellationToken ct, LeaderView? unlike = null)
    {
        var started = _options.TimeProvider.GetTimestamp();
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }
            var view = View;
            var left = timeout - _options.TimeProvider.GetElapsedTime(started);
            if ((view.Role != LeaderRole.Electing && view != unlike) || left <= TimeSpan.Zero)
            {
                return view;
            }
            // Between a rebalance being announced and this member giving up its role the last signal is already set:
            // look again shortly rather than spin.
            var wait = changed.IsCompleted && left > TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : left;
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Task.WhenAny(changed, Task.Delay(wait, _options.TimeProvider, delay.Token)).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
    }

    private async Task RunAsync()
    {
        var ct = _stopping.Token;
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _member.PollAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                if (failures > 0)
                {
                    _log.LogInformation("Registry group {Group} reachable again after {Failures} failed attempt(s)", _options.GroupId, failures);
                    failures = 0;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // As Confluent's poll loop: keep trying, so a passing broker failure never leaves the instance without a leader for good.
                if (failures++ % 30 == 0)
                {
                    _log.LogWarning(ex, "Joining registry group {Group} failed; retrying", _options.GroupId);
                }
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * failures, 1000)), _options.TimeProvider, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private IReadOnlyList<GroupProtocol> Protocols()
    {
        bool led;
        lock (_gate)
        {
            led = _ledLastGeneration;
        }
        return [new GroupProtocol(LeaderProtocol.ProtocolName, (_self with { IsLeader = led }).ToJson())];
    }

    // Runs on the member elected group leader (not necessarily the registry leader) for all members.
    private Dictionary<string, byte[]> Assign(IReadOnlyList<(string MemberId, string? InstanceId, byte[] Metadata)> members, string protocol)
    {
        var identities = new List<(string, RegistryIdentity)>(members.Count);
        foreach (var (id, _, metadata) in members)
        {
            try
            {
                identities.Add((id, RegistryIdentity.FromJson(metadata)));
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException)
            {
                _log.LogWarning("Registry group {Group}: member {Member} sent metadata that is no registry identity ({Error}); it cannot lead",
                    _options.GroupId, id, ex.Message);
                identities.Add((id, new RegistryIdentity("invalid-" + id, 0, "unknown", false)));
            }
        }
        var assignment = LeaderProtocol.Choose(identities, _options.LeaderElectionSticky);
        _log.LogInformation("Registry group {Group}: {Members} member(s) [{Identities}]; leader {Leader}", _options.GroupId, identities.Count,
            string.Join(", ", identities.Select(i => i.Item2.Url)), assignment.Leader?.Url ?? "none");
        var bytes = assignment.ToJson();
        return members.ToDictionary(m => m.MemberId, _ => bytes, StringComparer.Ordinal);
    }

    private async Task OnAssignedAsync(int generation, string protocol, byte[] bytes, string groupLeader)
    {
        LeaderAssignment assignment;
        try
        {
            assignment = LeaderAssignment.FromJson(bytes);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            SetView(new LeaderView(LeaderRole.None, Problem: "The registry group's assignment could not be read: " + ex.Message), false);
            return;
        }
        LeaderView view;
        if (assignment.Error == LeaderAssignment.DuplicateUrls)
        {
            view = new LeaderView(LeaderRole.None, Problem: "The schema registry group contained multiple members advertising the same URL. Verify that "
                + $"each instance has a unique, routable listener (set {SchemaRegistryOptions.HostNameConfig} and {SchemaRegistryOptions.ListenersConfig}).");
            _log.LogError("{Problem}", view.Problem);
        }
        else if (assignment.Error != LeaderAssignment.NoError)
        {
            view = new LeaderView(LeaderRole.None, Problem: $"Unknown error {assignment.Error} returned from the schema registry coordination protocol.");
            _log.LogError("{Problem}", view.Problem);
        }
        else if (assignment.Leader is null)
        {
            view = new LeaderView(LeaderRole.None, Problem: $"No instance with {SchemaRegistryOptions.LeaderEligibilityConfig}=true is in registry group "
                + $"'{_options.GroupId}'; this instance serves reads, but no writes can be processed.");
            _log.LogWarning("{Problem}", view.Problem);
        }
        else if (assignment.LeaderMemberId == _member.MemberId)
        {
            // Read everything the previous leader wrote before this instance takes a write (and so picks an id).
            try
            {
                await _store.SyncAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RegistryException or OperationCanceledException)
            {
                _log.LogWarning("The new leader could not read the store to its end yet ({Error}); each write reads it first anyway", ex.Message);
            }
            view = new LeaderView(LeaderRole.Self, _self);
        }
        else if (assignment.Leader.Topic is { } topic && topic != _options.Topic)
        {
            view = new LeaderView(LeaderRole.None, assignment.Leader, $"The leader of registry group '{_options.GroupId}' ({assignment.Leader.Url}) stores "
                + $"schemas in topic {topic}, this instance in {_options.Topic}: give each registry cluster its own {SchemaRegistryOptions.GroupIdConfig}.");
            _log.LogError("{Problem}", view.Problem);
        }
        else
        {
            view = new LeaderView(LeaderRole.Other, assignment.Leader);
        }
        SetView(view, view.Role == LeaderRole.Self);
        _log.LogInformation("Registry group {Group} generation {Generation}: {Role}", _options.GroupId, generation, view.Role switch
        {
            LeaderRole.Self => "this instance is the leader",
            LeaderRole.Other => "the leader is " + view.Leader!.Url,
            _ => "no leader",
        });
    }

    private void SetView(LeaderView view, bool self)
    {
        lock (_gate)
        {
            _view = view;
            _ledLastGeneration = self;
            _changed.TrySetResult();
        }
    }

    // Before a rejoin (or leaving): stop taking writes, then let the ones under way finish.
    private async Task GiveUpAsync()
    {
        bool led;
        lock (_gate)
        {
            led = _view.Role == LeaderRole.Self;
            _view = LeaderView.Electing;
            if (_changed.Task.IsCompleted)
            {
                _changed = NewSignal();
            }
        }
        if (led)
        {
            await _store.DrainWritesAsync().ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Stops taking writes, lets the running ones finish, then leaves the group so the others elect at once.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            _changed.TrySetResult();
        }
        await _store.DrainWritesAsync().ConfigureAwait(false);
        _stopping.Cancel();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await _member.DisposeAsync().ConfigureAwait(false);
        await _cluster.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _log.LogInformation("Left registry group {Group}", _options.GroupId);
    }
}
