using System.Diagnostics;

namespace Opsmith.Lab.Tests.DemoService;

/// <summary>
/// A 64 KiB tmpfs mounted on a fresh temporary folder and filled until the kernel answers ENOSPC, so any
/// further write in it fails with "No space left on device". Unmounted and removed on dispose. Needs root.
/// </summary>
internal sealed class FullTmpfs : IDisposable
{
    private FullTmpfs(string mountPoint) => MountPoint = mountPoint;

    public string MountPoint { get; }

    public static FullTmpfs MountAndFill()
    {
        var mountPoint = Directory.CreateTempSubdirectory("opsmith-full-").FullName;
        Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mountPoint);
        var full = new FullTmpfs(mountPoint);
        try
        {
            full.Fill();
            return full;
        }
        catch
        {
            full.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Run("umount", "--lazy", MountPoint);
        }
        finally
        {
            try { Directory.Delete(MountPoint, recursive: true); } catch (IOException) { }
        }
    }

    private void Fill()
    {
        var chunk = new byte[4096];
        using var filler = new FileStream(Path.Combine(MountPoint, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (var written = 0; written < 1024 * 1024; written += chunk.Length)
        {
            try
            {
                filler.Write(chunk);
            }
            catch (IOException)
            {
                return;
            }
        }
        throw new InvalidOperationException($"the 64 KiB tmpfs on {MountPoint} took 1 MiB without filling up");
    }

    private static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in args) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed (exit {process.ExitCode}): {output}");
    }
}
