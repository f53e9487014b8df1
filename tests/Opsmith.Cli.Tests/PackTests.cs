using System.IO.Compression;
using Opsmith.Cli.Tests.Support;
using Opsmith.Execution.Processes;

namespace Opsmith.Cli.Tests;

public sealed class PackTests
{
    [Fact]
    public async Task Dotnet_pack_produces_a_global_tool_package_named_opsmith()
    {
        using var temp = new TempFolder();

        // A configuration of its own keeps this build out of the Debug/Release folders other builds use.
        var pack = await LocalProcess.RunAsync("dotnet",
            ["pack", Path.Combine(CliProcess.RepositoryRoot, "src", "Opsmith.Cli", "Opsmith.Cli.csproj"), "-c", "PackTest", "-o", temp.Path, "--nologo"],
            TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.True(pack.ExitCode == 0, pack.Stdout + pack.Stderr);
        var package = Assert.Single(Directory.GetFiles(temp.Path, "Opsmith.*.nupkg"));
        using var zip = ZipFile.OpenRead(package);
        var settings = zip.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
        using var reader = new StreamReader(settings.Open());
        Assert.Contains("<Command Name=\"opsmith\" EntryPoint=\"opsmith.dll\"", await reader.ReadToEndAsync());
        Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/opsmith.dll", StringComparison.Ordinal));
    }
}
