using System.Reflection;
using Opsmith.Execution.Processes;

namespace Opsmith.Lab.Hosts;

/// <summary>A Debian package the lab needs and the programs that show it is installed.</summary>
public sealed record LabPackage(string Name, IReadOnlyList<string> Programs);

/// <summary>
/// The Debian packages the lab needs: one list (<c>src/Opsmith.Lab/lab-packages.txt</c>, embedded here and read
/// by <c>./test.sh</c> too), what of it is missing on this machine, and installing the missing ones as root so
/// that <c>opsmith demo</c> and <c>lab up</c> work as the first command on a machine with only the .NET SDK.
/// </summary>
public static class LabPackages
{
    public const string ResourceName = "Opsmith.Lab.lab-packages.txt";

    /// <summary>Every package of the list, in its order.</summary>
    public static IReadOnlyList<LabPackage> All { get; } = Parse(ReadResource());

    /// <summary>Reads the list's text: PACKAGE PROGRAM... per line; '#' starts a comment line.</summary>
    public static IReadOnlyList<LabPackage> Parse(string text) =>
        text.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(words => new LabPackage(words[0], words[1..]))
            .ToList();

    /// <summary>The packages with a program that is not on this machine.</summary>
    public static IReadOnlyList<LabPackage> Missing(IEnumerable<LabPackage>? packages = null) =>
        (packages ?? All).Where(p => p.Programs.Any(program => !ProgramExists(program))).ToList();

    /// <summary>The command a person runs to install <paramref name="missing"/> (as root).</summary>
    public static string InstallCommand(IEnumerable<LabPackage> missing) =>
        $"apt-get install -y --no-install-recommends {string.Join(' ', missing.Select(p => p.Name))}";

    /// <summary>
    /// Installs <paramref name="missing"/> with apt: <c>apt-get update</c> once, then <c>apt-get install -y
    /// --no-install-recommends</c>, without questions (DEBIAN_FRONTEND=noninteractive), waiting for another apt
    /// that holds the dpkg lock. Needs root. Returns null on success, else what went wrong, for the person.
    /// </summary>
    /// <param name="aptGet">The apt-get to run (tests give a stand-in).</param>
    public static async Task<string?> InstallAsync(IReadOnlyList<LabPackage> missing, Action<string> progress, CancellationToken cancellationToken,
        string aptGet = "apt-get")
    {
        if (missing.Count == 0) return null;
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        var names = missing.Select(p => p.Name).ToList();
        string[] lockWait = ["-o", "DPkg::Lock::Timeout=300"];
        progress($"Installing the Debian packages the lab needs: {string.Join(' ', names)} (apt-get update, then apt-get install)");
        var update = await LocalProcess.RunAsync(aptGet, ["-q", .. lockWait, "update"], TimeSpan.FromMinutes(10), cancellationToken, environment: environment);
        if (!update.Succeeded) return Failure("apt-get update", update);
        var install = await LocalProcess.RunAsync(aptGet, ["-q", "-y", "--no-install-recommends", .. lockWait, "install", .. names],
            TimeSpan.FromMinutes(20), cancellationToken, environment: environment);
        if (!install.Succeeded) return Failure($"apt-get install {string.Join(' ', names)}", install);
        progress($"Installed {string.Join(' ', names)}");
        return null;
    }

    private static string Failure(string what, ProcessResult result)
    {
        var reason = result.StartError ?? (result.TimedOut ? $"timed out after {result.Duration.TotalMinutes:0} min" : $"exit code {result.ExitCode}");
        var said = (result.Stderr.Trim().Length > 0 ? result.Stderr : result.Stdout).Trim();
        if (said.Length > 1500) said = "..." + said[^1500..];
        return $"{what} failed ({reason}){(said.Length > 0 ? ":\n" + said : "")}";
    }

    /// <summary>Whether a program path exists; a '*' segment matches any one folder name (a version).</summary>
    public static bool ProgramExists(string path) => ResolveProgram(path) is not null;

    /// <summary>The first existing path matching <paramref name="pattern"/> (highest version first for a '*' segment), or null.</summary>
    public static string? ResolveProgram(string pattern)
    {
        var star = pattern.IndexOf('*');
        if (star < 0) return File.Exists(pattern) ? pattern : null;
        var parent = pattern[..star].TrimEnd('/');
        var rest = pattern[(star + 1)..];
        if (!Directory.Exists(parent)) return null;
        return Directory.GetDirectories(parent)
            .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : -1)
            .Select(d => ResolveProgram(d + rest))
            .FirstOrDefault(found => found is not null);
    }

    private static string ReadResource()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from Opsmith.Lab");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
