using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;

namespace Opsmith.Policy.Tests.Classification;

/// <summary>What the classification tells the policy engine besides the tier: sensitive reads, a needed private /tmp, the data inventory.</summary>
public sealed class SignalsTests
{
    [Theory]
    [InlineData("cat /etc/shadow")]
    [InlineData("head -5 /root/.ssh/id_ed25519")]
    [InlineData("kubectl get secret db -o yaml")]
    [InlineData("vault kv get secret/db")]
    [InlineData("az keyvault secret show --vault-name v --name db")]
    [InlineData("aws secretsmanager get-secret-value --secret-id db")]
    public void Reads_that_print_secret_values_are_read_and_marked_sensitive(string command)
    {
        var result = Expect.Classify(command);
        Assert.Equal(RiskTier.Read, result.Tier);
        Assert.True(result.SensitiveRead, command);
    }

    [Theory]
    [InlineData("cat /etc/hostname")]
    [InlineData("kubectl get secrets")]
    [InlineData("cat ~/.ssh/id_ed25519.pub")]
    public void Ordinary_reads_are_not_sensitive(string command) => Assert.False(Expect.Classify(command).SensitiveRead, command);

    [Theory]
    [InlineData("echo hi > /tmp/x")]
    [InlineData("rm -rf /var/tmp/build-1")]
    [InlineData("mktemp")]
    public void Writes_under_tmp_are_read_only_with_a_private_tmp(string command)
    {
        var result = Expect.Classify(command);
        Assert.Equal(RiskTier.Read, result.Tier);
        Assert.True(result.NeedsPrivateTmp, command);
    }

    [Fact]
    public void Discarding_output_needs_no_sandbox() => Assert.False(Expect.Classify("ls 2>/dev/null").NeedsPrivateTmp);

    [Theory]
    [InlineData("rm -rf /srv/ledger/2024")]
    [InlineData("docker volume rm ledger-db")]
    [InlineData("kubectl delete postgresclusters main")]
    [InlineData("gsutil rm -r gs://ledger-archive/2019")]
    [InlineData("cd /srv && rm -rf ledger")]
    [InlineData("echo FOO | nc 10.0.0.5 7777")]
    public void Writes_that_touch_the_data_inventory_are_data_mutation(string command)
    {
        var classifier = new CommandClassifier(ClassifierOptions.Default with
        {
            Inventory = new DataInventory(["/srv/ledger"], ["ledger"], ["ledger-archive"], ["ledger-db"], ["postgresclusters"], [7777]),
        });
        Assert.Equal(RiskTier.DataMutation, classifier.Classify(command).Tier);
    }

    [Fact]
    public void Reads_of_inventory_data_stay_read()
    {
        var classifier = new CommandClassifier(ClassifierOptions.Default with
        {
            Inventory = new DataInventory(["/srv/ledger"], [], [], [], [], []),
        });
        Assert.Equal(RiskTier.Read, classifier.Classify("du -sh /srv/ledger").Tier);
    }
}

/// <summary>Naming a secret file is not disclosing it: only programs that print what they read are sensitive.</summary>
public sealed class SensitiveReadScopeTests
{
    [Theory]
    [InlineData("kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes")]
    [InlineData("ls -l /etc/shadow")]
    [InlineData("sha256sum /etc/ssl/private/server.key")]
    public void Programs_that_do_not_print_a_secret_file_are_not_sensitive(string command) => Assert.False(Expect.Classify(command).SensitiveRead, command);
}
