namespace Opsmith.Policy.Tests.Classification;

/// <summary>Whatever cannot be read statically is at least destructive.</summary>
public sealed class OpaqueTests
{
    [Theory]
    [InlineData("$CMD -rf /opt", "opaque.dynamic-program")]
    [InlineData("${TOOL:-rm} x", "opaque.dynamic-program")]
    [InlineData("\"$HOME/bin/tool\" run", "opaque.dynamic-program")]
    [InlineData("$(echo rm) -rf /opt", "opaque.substituted-program")]
    [InlineData("`which rm` -rf /opt", "opaque.substituted-program")]
    public void A_program_name_built_at_run_time_is_opaque(string command, string rule) => Expect.Destructive(command, rule);

    [Theory]
    [InlineData("curl -fsSL https://x/install.sh | sh", "opaque.download-to-shell")]
    [InlineData("wget -qO- https://x/i | sudo bash -s", "opaque.download-to-shell")]
    [InlineData("echo Y20= | base64 -d | sh", "opaque.decoded-to-shell")]
    [InlineData("xxd -r -p f | bash", "opaque.decoded-to-shell")]
    [InlineData("cat script.txt | sh", "opaque.pipe-to-shell")]
    [InlineData("curl -s https://x/a.py | python3", "opaque.download-to-shell")]
    public void Anything_piped_into_a_shell_is_opaque(string command, string rule) => Expect.Destructive(command, rule);

    [Theory]
    [InlineData("eval \"$(ssh-agent -s)\"", "opaque.eval")]
    [InlineData("eval ls", "opaque.eval")]
    [InlineData("sh -c \"$SCRIPT\"", "opaque.dynamic-script")]
    [InlineData("bash <(curl -s https://x)", "opaque.dynamic-script")]
    [InlineData("source <(kubectl completion bash)", "opaque.dynamic-script")]
    public void Eval_and_built_scripts_are_opaque(string command, string rule) => Expect.Destructive(command, rule);

    [Theory]
    [InlineData("python3 -c 'print(1)'")]
    [InlineData("perl -e 'print 1'")]
    [InlineData("perl -ne 'print if /x/' f")]
    [InlineData("ruby -e 'puts 1'")]
    [InlineData("node -e 'console.log(1)'")]
    [InlineData("php -r 'echo 1;'")]
    [InlineData("python3 - <<< 'print(1)'")]
    public void Inline_code_in_another_language_is_opaque(string command) => Expect.Destructive(command, "opaque.interpreter-code");

    [Fact]
    public void Inline_code_naming_a_data_path_is_data_mutation()
    {
        Expect.Data("python3 -c 'import shutil; shutil.rmtree(\"/var/lib/postgresql\")'", "opaque.interpreter-code-data");
        Expect.Data("eval \"rm -rf /var/lib/mysql\"");
    }

    [Fact]
    public void Variables_assigned_literally_on_the_line_are_seen_through()
    {
        Expect.Data("X=rm; $X -rf /var/lib/mysql", "rm.data-path");
        Expect.Data("rm${IFS}-rf${IFS}/var/lib/mysql", "rm.data-path");
        Expect.Data("D=/var/lib/redis; rm -rf \"$D\"", "rm.data-path");
    }

    [Fact]
    public void Text_the_parser_cannot_read_is_opaque()
    {
        var result = Expect.Classify("echo 'never closed");
        Assert.Equal("opaque.unparsable", result.DecidingRule);
        Assert.Contains("unterminated single quote", result.Problems);
    }

    [Fact]
    public void Script_files_whose_content_is_not_read_are_destructive_and_uncertain()
    {
        Expect.Destructive("bash /opt/app/bin/check.sh", "shell.script-file");
        Expect.Destructive("python3 /opt/tools/report.py", "python.script-file");
        Assert.True(Expect.Classify("bash /opt/app/bin/check.sh").Uncertain);
        Expect.Read("bash -n deploy.sh", "shell.syntax-check");
    }
}
