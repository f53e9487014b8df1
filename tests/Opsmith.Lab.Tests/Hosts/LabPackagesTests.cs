using System.Diagnostics;
using Opsmith.Lab.Hosts;

namespace Opsmith.Lab.Tests.Hosts;

/// <summary>The lab's one package list, what is missing of it, and installing it with apt.</summary>
public sealed class LabPackagesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opsmith-lab-packages-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_lab_reads_the_list_file_of_the_repository()
    {
        var onDisk = LabPackages.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Opsmith.Lab", "lab-packages.txt")));

        Assert.Equal(onDisk.Select(p => $"{p.Name} {string.Join(' ', p.Programs)}"), LabPackages.All.Select(p => $"{p.Name} {string.Join(' ', p.Programs)}"));
        Assert.Contains(LabPackages.All, p => p.Name == "redis-server" && p.Programs.SequenceEqual(["/usr/bin/redis-server"]));
        Assert.All(LabPackages.All, p => Assert.NotEmpty(p.Programs));
    }

    [Fact]
    public async Task Test_sh_installs_every_package_of_the_lab_list()
    {
        // Runs test.sh's own lines that build its package list, so the test sees what test.sh would install.
        var script = "set -euo pipefail; eval \"$(sed -n '/^packages=(/,/^done </p' test.sh)\"; printf '%s\\n' \"${packages[@]}\"";
        var listed = (await RunAsync("bash", ["-c", script], RepositoryRoot())).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.All(LabPackages.All, p => Assert.Contains(p.Name, listed));
    }

    [Fact]
    public void A_package_is_missing_when_one_of_its_programs_is_absent_and_a_star_matches_a_version_folder()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "lib", "9", "bin"));
        Directory.CreateDirectory(Path.Combine(_folder, "lib", "15", "bin"));
        File.WriteAllText(Path.Combine(_folder, "lib", "9", "bin", "pg_ctl"), "");
        File.WriteAllText(Path.Combine(_folder, "lib", "15", "bin", "pg_ctl"), "");
        File.WriteAllText(Path.Combine(_folder, "ip"), "");
        var packages = LabPackages.Parse($"""
            # comment
            iproute2 {_folder}/ip {_folder}/tc
            postgresql {_folder}/lib/*/bin/pg_ctl

            curl {_folder}/curl
            """);

        var missing = LabPackages.Missing(packages);

        Assert.Equal(["iproute2", "curl"], missing.Select(p => p.Name));
        Assert.Equal(Path.Combine(_folder, "lib", "15", "bin", "pg_ctl"), LabPackages.ResolveProgram($"{_folder}/lib/*/bin/pg_ctl"));
        Assert.Equal("apt-get install -y --no-install-recommends iproute2 curl", LabPackages.InstallCommand(missing));
    }

    [Fact]
    public async Task Installing_runs_apt_get_update_once_then_install_without_questions_and_says_what_it_installs()
    {
        var aptGet = FakeAptGet(exitOnInstall: 0);
        var said = new List<string>();

        var failure = await LabPackages.InstallAsync([new("redis-server", ["/x"]), new("nginx-light", ["/y"])], said.Add, CancellationToken.None, aptGet);

        Assert.Null(failure);
        var calls = File.ReadAllLines(Path.Combine(_folder, "calls"));
        Assert.Equal(2, calls.Length);
        Assert.Equal("noninteractive -q -o DPkg::Lock::Timeout=300 update", calls[0]);
        Assert.Equal("noninteractive -q -y --no-install-recommends -o DPkg::Lock::Timeout=300 install redis-server nginx-light", calls[1]);
        Assert.Contains(said, line => line.Contains("redis-server nginx-light", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_install_says_which_command_failed_and_what_apt_said()
    {
        var aptGet = FakeAptGet(exitOnInstall: 100);

        var failure = await LabPackages.InstallAsync([new("redis-server", ["/x"])], _ => { }, CancellationToken.None, aptGet);

        Assert.NotNull(failure);
        Assert.StartsWith("apt-get install redis-server failed (exit code 100)", failure);
        Assert.Contains("E: Unable to locate package", failure);
    }

    [Fact]
    public async Task Nothing_missing_runs_no_apt_at_all()
    {
        var aptGet = FakeAptGet(exitOnInstall: 0);

        Assert.Null(await LabPackages.InstallAsync([], _ => { }, CancellationToken.None, aptGet));
        Assert.False(File.Exists(Path.Combine(_folder, "calls")));
    }

    private string FakeAptGet(int exitOnInstall)
    {
        var path = Path.Combine(_folder, "apt-get");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            echo "$DEBIAN_FRONTEND $*" >>{{_folder}}/calls
            case " $* " in *" install "*) [ {{exitOnInstall}} -eq 0 ] || { echo "E: Unable to locate package" >&2; exit {{exitOnInstall}}; } ;; esac
            exit 0
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static async Task<string> RunAsync(string program, string[] arguments, string folder)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        return await stdout;
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Opsmith.slnx"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Opsmith.slnx)");
    }
}
