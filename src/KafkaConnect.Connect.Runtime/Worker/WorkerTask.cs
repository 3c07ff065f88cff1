using KafkaConnect.Connect.Runtime.Herder;
using KafkaConnect.Connect.Runtime.Metrics;
using Microsoft.Extensions.Logging;

namespace KafkaConnect.Connect.Runtime.Worker;

/// <summary>
/// Runs one task on its own loop: reports RUNNING/PAUSED/FAILED/UNASSIGNED to the status store, honours the
/// target state (pause/resume), and turns any exception into FAILED with the full trace, never letting it reach
/// the worker.
/// </summary>
public abstract class WorkerTask
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _stateLock = new();
    private TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TargetState _target;
    private Task? _loop;
    private volatile bool _failed;

    protected WorkerTask(ConnectorTaskId id, StatusStore status, TargetState initial, ILogger log, TaskMetrics? metrics = null)
    {
        Id = id;
        Metrics = metrics;
        Status = status;
        Log = log;
        _target = initial;
        if (initial == TargetState.Started)
        {
            _resumed.TrySetResult();
        }
    }

    public ConnectorTaskId Id { get; }

    /// <summary>Raised once, after cleanup, when the task ends FAILED (the worker's automatic restart listens).</summary>
    public event Action<Exception>? Failed;

    /// <summary>When <see cref="Start"/> was called.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>The state the herder asked for (started or paused).</summary>
    public TargetState CurrentTarget
    {
        get
        {
            lock (_stateLock)
            {
                return _target;
            }
        }
    }

    protected StatusStore Status { get; }

    /// <summary>Where the loop records Apache's task metrics; null when metrics are off.</summary>
    public TaskMetrics? Metrics { get; }

    protected ILogger Log { get; }

    /// <summary>Cancelled when the task is asked to stop.</summary>
    protected CancellationToken Stopping => _stopping.Token;

    public bool IsStopping => _stopping.IsCancellationRequested;

    protected bool IsPaused
    {
        get
        {
            lock (_stateLock)
            {
                return _target == TargetState.Paused;
            }
        }
    }

    /// <summary>Completes when the loop has ended (after cleanup).</summary>
    public Task Completion => _loop ?? Task.CompletedTask;

    public void Start()
    {
        StartedAt = TimeProvider.System.GetUtcNow();
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Pauses or resumes; a paused task keeps its resources but processes nothing.</summary>
    public void Transition(TargetState target)
    {
        lock (_stateLock)
        {
            if (_target == target)
            {
                return;
            }
            _target = target;
            if (target == TargetState.Started)
            {
                _resumed.TrySetResult();
            }
            else
            {
                _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        if (!_failed && !IsStopping)
        {
            ReportState(target == TargetState.Paused ? ConnectorState.Paused : ConnectorState.Running);
        }
        OnTransition(target);
    }

    /// <summary>Signals the loop to stop (without waiting).</summary>
    public void Stop()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        try
        {
            OnStopRequested();
        }
        catch (Exception ex)
        {
            Log.LogWarning(ex, "{Task} threw while being asked to stop", Id);
        }
        _stopping.Cancel();
    }

    /// <summary>Waits for the loop to finish; false when it did not within <paramref name="timeout"/> (it is then abandoned).</summary>
    public async Task<bool> AwaitStopAsync(TimeSpan timeout)
    {
        if (_loop is null)
        {
            return true;
        }
        try
        {
            await _loop.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            Log.LogError("Graceful stop of task {Task} failed: it did not finish within {Timeout} ms", Id, (long)timeout.TotalMilliseconds);
            return false;
        }
    }

    /// <summary>Waits while the task is paused; returns false if it was stopped meanwhile.</summary>
    protected async Task<bool> AwaitUnpausedAsync()
    {
        Task resumed;
        lock (_stateLock)
        {
            resumed = _resumed.Task;
        }
        try
        {
            await resumed.WaitAsync(Stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits while paused, giving <paramref name="whilePaused"/> a chance to run periodically.</summary>
    protected Task PausedTask()
    {
        lock (_stateLock)
        {
            return _resumed.Task;
        }
    }

    protected abstract Task ExecuteAsync();

    /// <summary>Releases resources after the loop ended (also after failure).</summary>
    protected abstract Task CloseAsync();

    protected virtual void OnStopRequested()
    {
    }

    protected virtual void OnTransition(TargetState target)
    {
    }

    private async Task RunAsync()
    {
        // Everything the task logs from its loop, the plugin included, names it.
        using var context = Log.BeginScope(new ConnectLogContext(Id.Connector, Id.Task));
        Exception? failure = null;
        try
        {
            if (!IsStopping)
            {
                await ExecuteAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (IsStopping)
        {
        }
        catch (Exception ex)
        {
            _failed = true;
            failure = ex;
            Log.LogError(ex, "{Task} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted", Id);
            ReportState(ConnectorState.Failed, ex.ToString());
        }
        finally
        {
            try
            {
                await CloseAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.LogWarning(ex, "{Task} failed to close cleanly", Id);
            }
        }
        if (!_failed)
        {
            ReportState(ConnectorState.Unassigned);
        }
        else if (failure is not null && !IsStopping)
        {
            try
            {
                Failed?.Invoke(failure);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.LogWarning(ex, "{Task} failure listener threw", Id);
            }
        }
    }

    private void ReportState(ConnectorState state, string? trace = null)
    {
        Metrics?.RecordState(state);
        Status.PutTask(Id, state, trace);
    }

    /// <summary>Called by subclasses once the plugin task started successfully.</summary>
    protected void ReportStarted() => ReportState(IsPaused ? ConnectorState.Paused : ConnectorState.Running);
}
