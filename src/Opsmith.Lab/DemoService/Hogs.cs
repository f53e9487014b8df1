namespace Opsmith.Lab.DemoService;

/// <summary>
/// Resource hogs the fault lab runs on a node to make it slow: CPU burned by spinning threads and memory held
/// resident. Each runs until its token is cancelled, then releases what it took and completes normally.
/// </summary>
public static class Hogs
{
    /// <summary>Busy-spins <paramref name="threads"/> dedicated threads (named <c>opsmith-cpu-hog-N</c>) until cancelled.</summary>
    /// <returns>A task that completes once every thread has stopped.</returns>
    public static Task BurnCpuAsync(int threads, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var stopped = new Task[threads];
        for (var i = 0; i < threads; i++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                Spin(ct);
                done.SetResult();
            })
            {
                IsBackground = true,
                Name = $"opsmith-cpu-hog-{i + 1}",
            };
            thread.Start();
            stopped[i] = done.Task;
        }
        return Task.WhenAll(stopped);
    }

    /// <summary>
    /// Allocates <paramref name="megabytes"/> MiB, writes to every page so the memory is resident (not just
    /// reserved), and holds it until cancelled; then drops it and runs a full collection so it goes back.
    /// </summary>
    public static async Task HoldMemoryAsync(int megabytes, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(megabytes, 1);
        var held = await Task.Run(() => AllocateResident(megabytes, ct), CancellationToken.None);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Cancellation is how the hog is stopped.
        }
        GC.KeepAlive(held);
        held.Clear();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static void Spin(CancellationToken ct)
    {
        // A loop-carried dependency the JIT cannot remove; checking the token every ~100k steps keeps stopping prompt.
        var state = 1UL;
        while (!ct.IsCancellationRequested)
            for (var i = 0; i < 100_000; i++)
                state = state * 6364136223846793005UL + 1442695040888963407UL;
        GC.KeepAlive(state);
    }

    private static List<byte[]> AllocateResident(int megabytes, CancellationToken ct)
    {
        const int chunkBytes = 1024 * 1024;
        var pageBytes = Environment.SystemPageSize;
        var chunks = new List<byte[]>(megabytes);
        for (var i = 0; i < megabytes && !ct.IsCancellationRequested; i++)
        {
            // Uninitialized: fresh pages stay unmapped until written, which the loop below does, one byte a page.
            var chunk = GC.AllocateUninitializedArray<byte>(chunkBytes);
            for (var offset = 0; offset < chunk.Length; offset += pageBytes) chunk[offset] = 1;
            chunks.Add(chunk);
        }
        return chunks;
    }
}
