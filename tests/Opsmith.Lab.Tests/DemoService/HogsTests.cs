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
    public async Task Burning_spins_its_named_threads_until_cancelled_and_then_they_are_gone()
    {
        using var cancel = new CancellationTokenSource();

        var burn = Hogs.BurnCpuAsync(2, cancel.Token);
        var burning = await WaitUntilAsync(() => HogThreads().Count(t => t.CpuTicks > 0) == 2);
        Assert.False(burn.IsCompleted, "the hog stopped before it was cancelled");
        await cancel.CancelAsync();
        await burn.WaitAsync(TimeSpan.FromSeconds(30));
        var gone = await WaitUntilAsync(() => HogThreads().Count == 0);

        Assert.True(burning, $"two hog threads should have used CPU; saw {string.Join(", ", HogThreads())}");
        Assert.True(gone, $"hog threads still running after cancel: {string.Join(", ", HogThreads())}");
    }

    /// <summary>This process's threads named opsmith-cpu-hog-N (Linux keeps 15 characters of a name) with their CPU ticks.</summary>
    private static List<(string Name, long CpuTicks)> HogThreads()
    {
        var threads = new List<(string, long)>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                if (!name.StartsWith("opsmith-cpu-h", StringComparison.Ordinal)) continue;
                // utime and stime are fields 14 and 15; the name in parentheses may hold spaces, so count from ')'.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                threads.Add((name, long.Parse(fields[11]) + long.Parse(fields[12])));
            }
            catch (IOException) { }   // the thread ended while being read
        }
        return threads;
    }

    /// <summary>Waits for a condition to hold; false after 30 s. An upper bound for a hung test, not an assertion on time.</summary>
    private static async Task<bool> WaitUntilAsync(Func<bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(20))
            if (condition()) return true;
        return false;
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
