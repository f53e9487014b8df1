using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;

namespace Opsmith.Policy.Tests.Classification;

/// <summary>What the classifier cannot read with confidence is at least destructive and marked uncertain.</summary>
public sealed class FailClosedTests
{
    [Theory]
    [InlineData("frobnicate --all", "unknown-program")]
    [InlineData("kubectl frobnicate x", "kubectl.unknown-verb")]
    [InlineData("git frobnicate", "git.unknown-verb")]
    [InlineData("systemctl frobnicate nginx", "systemctl.unknown-verb")]
    [InlineData("argocd app frobnicate web", "argocd.unknown-subcommand")]
    [InlineData("sort --compress-program=/tmp/x big.txt", "unknown-option")]
    [InlineData("tree -o /etc/passwd /", "unknown-option")]
    [InlineData("fuser -k 5432/tcp", "unknown-option")]
    [InlineData("rg --pre ./decode foo", "unknown-option")]
    public void Unknown_programs_verbs_and_options_are_destructive_and_uncertain(string command, string rule)
    {
        Expect.Destructive(command, rule);
        Assert.True(Expect.Classify(command).Uncertain);
    }

    [Theory]
    [InlineData("/tmp/ls -la", "opaque.untrusted-program-path")]
    [InlineData("./cat /etc/hosts", "opaque.untrusted-program-path")]
    [InlineData("ln -s /bin/rm /usr/local/bin/lsx; lsx -rf /etc", "opaque.redefined-program")]
    [InlineData("hash -p /bin/rm ls; ls -rf /etc", "opaque.redefined-program")]
    [InlineData("PATH=/tmp/evil:$PATH; ls", "opaque.path-changed")]
    [InlineData("/???/?m -rf /etc", "opaque.glob-program")]
    [InlineData("{rm,-rf,/etc}", "opaque.glob-program")]
    public void A_program_name_is_not_trusted_when_its_file_may_be_something_else(string command, string rule) => Expect.Destructive(command, rule);

    [Fact]
    public void Programs_in_the_system_directories_are_judged_by_name()
    {
        Expect.Read("/usr/bin/ls -la /etc");
        Expect.Read("/bin/cat /etc/hostname");
    }

    [Theory]
    [InlineData("sed --in 's/a/b/' /etc/hosts")]
    [InlineData("rm --rec /etc/nginx")]
    [InlineData("tar --rem -cf /tmp/x.tar /etc/app")]
    [InlineData("sort --out=/etc/passwd names.txt")]
    public void Long_option_abbreviations_count_as_the_option(string command) =>
        Assert.True(Expect.Classify(command).Tier >= RiskTier.ServiceMutation, command);

    [Theory]
    [InlineData("find . $(echo -delete)")]
    [InlineData("sort $OPTS in.txt")]
    public void Arguments_known_only_at_run_time_where_an_option_could_be_are_opaque(string command) =>
        Expect.Destructive(command, "opaque.runtime-argument");

    [Theory]
    [InlineData("kubectl --cache-dir /tmp/k delete pod web-0")]
    [InlineData("docker --frob x rm -f web")]
    public void An_unknown_option_before_the_verb_is_read_both_ways(string command) =>
        Assert.True(Expect.Classify(command).Tier >= RiskTier.Destructive, command);

    [Fact]
    public void Unknown_programs_the_environment_declares_read_only_are_read()
    {
        var classifier = new CommandClassifier(ClassifierOptions.Default with
        {
            ExtraReadOnlyPrograms = new Dictionary<string, string> { ["acme-status"] = "prints the local status page" },
        });
        var result = classifier.Classify("acme-status --json");
        Assert.Equal(RiskTier.Read, result.Tier);
        Assert.Contains("environment", result.Decisive!.Reason);
    }
}
