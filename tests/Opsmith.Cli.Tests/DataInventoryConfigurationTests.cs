using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>The configuration's data inventory and read-only programs reach the classifier; mistakes in them are reported with their line.</summary>
public sealed class DataInventoryConfigurationTests
{
    private static Task<CliResult> Classify(TempFolder home, string config, string command) =>
        CliProcess.RunAsync(["policy", "classify", "--", command], new Dictionary<string, string>
        {
            ["OPSMITH_HOME"] = home.Path,
            ["OPSMITH_CONFIG"] = home.Write("opsmith.yaml", config),
        });

    private const string Header = "apiVersion: opsmith/v1\nkind: Configuration\n";

    [Fact]
    public async Task A_write_to_a_directory_of_the_data_inventory_is_data_mutation_and_a_configured_program_reads()
    {
        using var home = new TempFolder();
        var config = Header + "classifier:\n  read_only_programs:\n    acme-status: prints the status page\ndata_inventory:\n  data_directories: [/srv/ledger]\n";

        var write = await Classify(home, config, "rm -rf /srv/ledger/2024");
        var read = await Classify(home, config, "acme-status --all");
        var unlisted = await Classify(home, Header, "rm -rf /srv/ledger/2024");

        Assert.StartsWith("data-mutation", write.Stdout);
        Assert.StartsWith("destructive", unlisted.Stdout);
        Assert.StartsWith("read", read.Stdout);
    }

    [Fact]
    public async Task Mistakes_in_the_data_inventory_are_reported_with_their_file_and_line()
    {
        using var home = new TempFolder();
        var config = Header + "data_inventory:\n  data_directories: [srv/ledger]\n  buckets: [s3://archive]\n  datastore_ports: [70000]\n";

        var result = await Classify(home, config, "true");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("opsmith.yaml:4: data_inventory.data_directories[0]: 'srv/ledger' in data_inventory.data_directories must be an absolute directory", result.Stderr);
        Assert.Contains("opsmith.yaml:5: data_inventory.buckets[0]: 's3://archive' in data_inventory.buckets must be the bucket's name without s3:// or gs://", result.Stderr);
        Assert.Contains("opsmith.yaml:6: data_inventory.datastore_ports[0]: a datastore port is a whole number from 1 to 65535", result.Stderr);
    }
}
