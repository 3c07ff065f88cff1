namespace KafkaConnect.Connect.Runtime.Worker;

/// <summary>
/// The logging scope the worker opens while it runs a connector (<c>[name|worker]</c>) or a task (<c>[name|task-0]</c>),
/// Apache's connector context: every line logged in that flow, the plugin's own included, carries it.
/// </summary>
public sealed record ConnectLogContext(string Connector, int? Task)
{
    public override string ToString() => Task is { } task ? $"[{Connector}|task-{task}]" : $"[{Connector}|worker]";
}
