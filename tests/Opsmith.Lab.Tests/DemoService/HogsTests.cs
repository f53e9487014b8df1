using System.Diagnostics;
using Opsmith.Lab.DemoService;

namespace Opsmith.Lab.Tests.DemoService;

/// <summary>The hogs measure the whole test process, so nothing else may run beside them.</summary>
[CollectionDefinition(nameof(HogsTests), DisableParallelization = true)]
public sealed class HogsCollection;

/// <summary>The CPU and memory hogs, measured on this process.</summary>
[Collection(nameof(HogsTests))]
public sealed class HogsTests
{
    [Fact]
    public async Task Burning_one_thread_for_a_second_uses_over_half_a_cpu_second_and_stops_on_cancel()
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        await Hogs.BurnCpuAsync(1, cancel.Token).WaitAsync(TimeSpan.FromSeconds(10));

        process.Refresh();
        var burned = process.TotalProcessorTime - before;
        Assert.True(burned > TimeSpan.FromSeconds(0.5), $"burned only {burned.TotalSeconds:0.00} s of CPU");
        await Task.Delay(500);
        process.Refresh();
        var afterStop = process.TotalProcessorTime - before - burned;
        Assert.True(afterStop < TimeSpan.FromSeconds(0.4), $"still burning after cancel: {afterStop.TotalSeconds:0.00} s in 0.5 s");
    }

    [Fact]
    public async Task Holding_64_MiB_makes_it_resident_until_cancelled()
    {
        using var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        var before = process.WorkingSet64;
        using var cancel = new CancellationTokenSource();

        var hold = Hogs.HoldMemoryAsync(64, cancel.Token);
        var grown = 0L;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline && grown <= 50L << 20; await Task.Delay(50))
        {
            process.Refresh();
            grown = process.WorkingSet64 - before;
        }
        Assert.False(hold.IsCompleted, "the hog stopped before it was cancelled");
        await cancel.CancelAsync();
        await hold.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(grown > 50L << 20, $"the working set grew by only {grown >> 20} MiB");
    }

    [Fact]
    public async Task Hogs_cancelled_before_they_start_return_at_once()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Hogs.BurnCpuAsync(2, cancelled.Token).WaitAsync(TimeSpan.FromSeconds(5));
        await Hogs.HoldMemoryAsync(64, cancelled.Token).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
