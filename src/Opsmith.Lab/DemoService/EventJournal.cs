using System.Globalization;
using System.Text;

namespace Opsmith.Lab.DemoService;

/// <summary>What a journal write came to: done, or the I/O error that stopped it.</summary>
internal sealed record JournalResult(string? Failure)
{
    public static readonly JournalResult Written = new((string?)null);
}

/// <summary>
/// The file the demo service appends events to, one line each, flushed and fsynced before the request is
/// answered, so a full or read-only filesystem shows up as a failed request and not as lost data. The file is
/// opened per write so a journal that a fault moved, deleted or truncated is simply written anew.
/// </summary>
internal sealed class EventJournal(string path, TimeProvider time)
{
    /// <summary>The largest event body, in bytes, that the journal accepts.</summary>
    public const int MaxEventBytes = 4096;

    private const string ProbeFileName = ".health-probe";
    private static readonly byte[] ProbeContent = Encoding.ASCII.GetBytes(new string('p', 4096));

    private readonly string _path = Path.GetFullPath(path);
    private readonly SemaphoreSlim _appendLock = new(1, 1);
    private readonly SemaphoreSlim _probeLock = new(1, 1);

    private string Folder => Path.GetDirectoryName(_path) ?? "/";

    /// <summary>Appends <c>&lt;UTC time&gt; &lt;body on one line&gt;</c>, creating the journal's folder if needed.</summary>
    public async Task<JournalResult> AppendAsync(string body, CancellationToken cancellationToken)
    {
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var line = Encoding.UTF8.GetBytes($"{stamp} {OnOneLine(body)}\n");
        await _appendLock.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Folder);
            // No FileStream buffer: the write reaches the kernel at once, so ENOSPC surfaces here and not in Dispose.
            await using var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            await stream.WriteAsync(line, cancellationToken);
            stream.Flush(flushToDisk: true);
            return JournalResult.Written;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new JournalResult(e.Message);
        }
        finally
        {
            _appendLock.Release();
        }
    }

    /// <summary>
    /// Whether the journal's folder takes a small write right now: writes, fsyncs and deletes a 4 KiB probe
    /// file beside the journal (a full filesystem fails here with "No space left on device").
    /// </summary>
    public async Task<JournalResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var probe = Path.Combine(Folder, ProbeFileName);
        await _probeLock.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Folder);
            await using (var stream = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                await stream.WriteAsync(ProbeContent, cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            return JournalResult.Written;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new JournalResult(e.Message);
        }
        finally
        {
            try
            {
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The probe's verdict stands; a leftover probe file is overwritten by the next check.
            }
            _probeLock.Release();
        }
    }

    private static string OnOneLine(string body) => body.Replace("\r\n", " ").Replace('\r', ' ').Replace('\n', ' ');
}
