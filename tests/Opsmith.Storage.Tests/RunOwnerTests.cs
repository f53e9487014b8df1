using System.Diagnostics;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Tests;

public sealed class RunOwnerTests
{
    [Fact]
    public void This_process_is_alive()
    {
        Assert.Equal(RunOwnerStatus.Alive, RunOwner.OfCurrentProcess().Probe().Status);
    }

    [Fact]
    public async Task A_process_that_exited_is_gone()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        var stat = ProcessStat.Read(process.Id);
        await process.WaitForExitAsync();
        var owner = RunOwner.OfCurrentProcess() with { ProcessId = process.Id, StartTicks = stat?.StartTicks ?? 0 };

        Assert.Equal(RunOwnerStatus.Gone, owner.Probe().Status);
    }

    [Fact]
    public void A_process_on_another_machine_cannot_be_judged_from_here()
    {
        var owner = RunOwner.OfCurrentProcess() with { Machine = "elsewhere" };
        Assert.Equal(RunOwnerStatus.Unknown, owner.Probe().Status);
    }

    [Fact]
    public void Stat_parsing_survives_command_names_with_spaces_and_parentheses()
    {
        var stat = ProcessStat.Parse("4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345 67 " +
                                     "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0");
        Assert.Equal(new ProcessStat('S', 987654), stat);
    }
}
