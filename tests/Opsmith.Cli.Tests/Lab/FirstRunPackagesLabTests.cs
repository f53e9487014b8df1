using System.Diagnostics;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests.Lab;

/// <summary>
/// `lab up` (and so `opsmith demo`, which starts with it) on a machine that lacks a package of the lab: as root it installs
/// it with the real apt-get and comes up; as another user it prints the command to run. The machine is made to lack the
/// package in a private mount namespace: /usr, /etc and /var are overlays there, redis-tools' program and its dpkg
/// record are removed, so apt really downloads and dpkg really installs it — into the overlay, leaving this machine's
/// packages as they were.
/// </summary>
[Collection("lab")]
public sealed class FirstRunPackagesLabTests
{
    private const string Script = """
        set -euo pipefail
        exec 2>&1
        name=$1; shift
        scratch=$(mktemp -d /tmp/opsmith-first-run.XXXXXX)
        mount -t tmpfs tmpfs "$scratch"
        for d in usr etc var; do
          mkdir -p "$scratch/$d/upper" "$scratch/$d/work"
          mount -t overlay overlay -o "lowerdir=/$d,upperdir=$scratch/$d/upper,workdir=$scratch/$d/work" "/$d"
        done
        rm -f /usr/bin/redis-cli
        perl -0pi -e 's/(^|\n\n)Package: redis-tools\n.*?(?=\n\n|\z)//s' /var/lib/dpkg/status
        if dpkg-query -W -f='${Status}' redis-tools 2>/dev/null | grep -q "install ok installed"; then echo "SETUP: redis-tools is still installed"; exit 9; fi
        trap '"$@" lab down --name "$name" >/dev/null 2>&1 || true' EXIT
        echo "== as nobody"
        HOME=/tmp DOTNET_CLI_HOME=/tmp setpriv --reuid=65534 --regid=65534 --clear-groups "$@" lab up --name "$name" && echo "exit=0" || echo "exit=$?"
        echo "== as root"
        "$@" lab up --name "$name" && echo "exit=0" || echo "exit=$?"
        echo "== after"
        dpkg-query -W -f='${Status}\n' redis-tools
        test -x /usr/bin/redis-cli && echo "redis-cli is there"
        "$@" lab check --name "$name" >/dev/null && echo "lab green"
        """;

    [Fact]
    public async Task Lab_up_as_root_installs_a_missing_package_with_apt_and_as_another_user_prints_the_command()
    {
        var name = LabFixture.NameFor('p');
        var script = Path.Combine(Directory.CreateTempSubdirectory("opsmith-first-run-").FullName, "first-run.sh");
        await File.WriteAllTextAsync(script, Script);
        var before = await RunAsync("dpkg-query", "-W", "-f=${Status} ${Version}", "redis-tools");

        var result = await RunAsync("unshare", "-m", "--propagation", "private", "bash", script, name,
            "dotnet", Path.Combine(AppContext.BaseDirectory, "opsmith.dll"));

        var output = result.Output;
        Assert.DoesNotContain("SETUP:", output);
        var (asNobody, asRoot, after) = Sections(output);
        // Without root: the command to run, and nothing installed.
        Assert.Contains("needs root", asNobody);
        Assert.Contains("install them with: sudo apt-get install -y --no-install-recommends redis-tools", asNobody);
        Assert.EndsWith("exit=1", asNobody.Trim());
        // As root: says what it installs, installs it with apt, and the lab comes up.
        Assert.Contains("Installing the Debian packages the lab needs: redis-tools", asRoot);
        Assert.Contains("Installed redis-tools", asRoot);
        Assert.True(asRoot.Trim().EndsWith("exit=0", StringComparison.Ordinal), output);
        Assert.Contains("install ok installed", after);
        Assert.Contains("redis-cli is there", after);
        Assert.Contains("lab green", after);
        // And this machine's own packages are as they were.
        Assert.Equal(before.Output, (await RunAsync("dpkg-query", "-W", "-f=${Status} ${Version}", "redis-tools")).Output);
        Assert.False(Directory.Exists(Path.Combine("/run/opsmith/labs", name)), $"lab {name} was not taken down");
        Directory.Delete(Path.GetDirectoryName(script)!, recursive: true);
    }

    private static (string AsNobody, string AsRoot, string After) Sections(string output)
    {
        var nobody = output.IndexOf("== as nobody", StringComparison.Ordinal);
        var root = output.IndexOf("== as root", StringComparison.Ordinal);
        var after = output.IndexOf("== after", StringComparison.Ordinal);
        Assert.True(nobody >= 0 && root > nobody && after > root, output);
        return (output[nobody..root], output[root..after], output[after..]);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
