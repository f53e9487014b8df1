using System.Text.Json;
using Opsmith.Execution.Runs;

namespace Opsmith.Cli.Output;

/// <summary>Writes run reports readable by their owner only: they hold commands and outputs of hosts.</summary>
public static class ReportFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Checked before a run, so a bad path is found before any host is changed.</summary>
    public static void EnsureWritable(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new UsageException($"--report-out: folder '{folder}' does not exist");
        if (Directory.Exists(path)) throw new UsageException($"--report-out: '{path}' is a folder; give a file name");
    }

    /// <summary>False (and the reason on stderr) when the report could not be written: the caller's exit code says so.</summary>
    public static bool Write(CliContext context, string path, RunReport report)
    {
        try
        {
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly,
            });
            JsonSerializer.Serialize(stream, report, JsonOutput.Options);
            stream.Flush(flushToDisk: false);
            File.SetUnixFileMode(path, OwnerOnly);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine($"Error: could not write the report to {path}: {e.Message}");
            return false;
        }
    }
}
