using System.Runtime.InteropServices;

namespace KafkaConnect.Connect.EndToEnd.Tests.Infrastructure;

/// <summary>SIGSTOP / SIGCONT: a process that is alive (its sockets accept) but answers nothing.</summary>
internal sealed partial class ChildProcess
{
    private const int Sigstop = 19;
    private const int Sigcont = 18;

    private volatile bool _suspended;

    /// <summary>Whether <see cref="Suspend"/> was sent and no <see cref="Resume"/> since.</summary>
    public bool IsSuspended => _suspended;

    public void Suspend()
    {
        Signal(Sigstop, "SIGSTOP");
        _suspended = true;
    }

    public void Resume()
    {
        Signal(Sigcont, "SIGCONT");
        _suspended = false;
    }

    private void Signal(int signal, string name)
    {
        if (!_process.HasExited && SendSignal(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({name}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
        Append($"[harness] {name} sent");
    }
}
