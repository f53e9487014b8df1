using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Tests.Classification;

public sealed class ShellParserTests
{
    private static IReadOnlyList<string> Programs(string text) =>
        ShellParser.Parse(text).Commands.Where(c => c.Words.Count > 0).Select(c => c.Words[0].Text).ToList();

    private static IReadOnlyList<string> Words(string text) =>
        ShellParser.Parse(text).Commands.Single().Words.Select(w => w.Text).ToList();

    [Theory]
    [InlineData("echo 'a b' \"c d\" e\\ f", new[] { "echo", "a b", "c d", "e f" })]
    [InlineData("r\"\"m -rf /", new[] { "rm", "-rf", "/" })]
    [InlineData("\\rm x", new[] { "rm", "x" })]
    [InlineData("'r''m' x", new[] { "rm", "x" })]
    [InlineData("$'\\x72\\x6d' x", new[] { "rm", "x" })]
    [InlineData("$'\\162\\155' x", new[] { "rm", "x" })]
    [InlineData("echo \"it's \\\"quoted\\\"\"", new[] { "echo", "it's \"quoted\"" })]
    [InlineData("echo a\\\nb", new[] { "echo", "ab" })]
    public void Quoting_is_removed_the_way_the_shell_removes_it(string text, string[] expected) =>
        Assert.Equal(expected, Words(text));

    [Fact]
    public void Lists_pipelines_and_and_or_yield_every_command_in_order() =>
        Assert.Equal(["a", "b", "c", "d", "e", "f"], Programs("a; b && c || d | e & f"));

    [Fact]
    public void Subshells_braces_and_control_flow_are_descended() =>
        Assert.Equal(["a", "b", "c", "d", "e", "f", "g", "h"],
            Programs("(a; b) && { c; } ; if d; then e; elif f; then g; else h; fi"));

    [Fact]
    public void Loops_and_case_branches_are_descended() =>
        Assert.Equal(["seq", "a", "b", "c", "d"],
            Programs("for i in $(seq 3); do a; done; while b; do c; done; case $x in y|z) d;; esac"));

    [Fact]
    public void Function_bodies_are_read_and_their_names_recorded()
    {
        var parsed = ShellParser.Parse("cleanup() { rm -f /tmp/x; }; function go { ls; }; cleanup");
        Assert.Equal(["rm", "ls", "cleanup"], parsed.Commands.Select(c => c.Words[0].Text));
        Assert.Equal(["cleanup", "go"], parsed.FunctionNames);
    }

    [Fact]
    public void Command_substitutions_run_before_the_command_that_uses_them()
    {
        var parsed = ShellParser.Parse("echo $(date) `hostname` \"$(id -u)\"");
        Assert.Equal(["date", "hostname", "id", "echo"], parsed.Commands.Select(c => c.Words[0].Text));
        Assert.All(parsed.Commands.Take(3), c => Assert.True(c.InSubstitution));
        Assert.False(parsed.Commands[3].Words.All(w => w.IsLiteral));
    }

    [Fact]
    public void Nested_substitutions_and_process_substitutions_are_found() =>
        Assert.Equal(["b", "cat", "a", "ls", "diff"], Programs("x=$(a $(b) \"$(cat f)\"); diff <(ls) y"));

    [Fact]
    public void Substitutions_inside_parameter_defaults_are_found() =>
        Assert.Contains("whoami", Programs("echo ${USER:-$(whoami)}"));

    [Fact]
    public void Redirections_are_kept_with_their_targets()
    {
        var command = ShellParser.Parse("cmd 2>&1 >> /var/log/x.log < in.txt &> /dev/null").Commands.Single();
        Assert.Equal(["cmd"], command.Words.Select(w => w.Text));
        Assert.Equal([">&", ">>", "<", "&>"], command.Redirections.Select(r => r.Operator));
        Assert.Equal(2, command.Redirections[0].Fd);
        Assert.False(command.Redirections[0].WritesFile);
        Assert.True(command.Redirections[1].WritesFile && command.Redirections[1].Appends);
        Assert.Equal("/var/log/x.log", command.Redirections[1].Target!.Text);
    }

    [Fact]
    public void Assignments_before_a_command_are_not_words()
    {
        var command = ShellParser.Parse("A=1 B='two words' env").Commands.Single();
        Assert.Equal(["A", "B"], command.Assignments.Select(a => a.Name));
        Assert.Equal("two words", command.Assignments[1].Value.Text);
        Assert.Equal(["env"], command.Words.Select(w => w.Text));
    }

    [Fact]
    public void Here_document_bodies_are_attached_and_skipped()
    {
        var parsed = ShellParser.Parse("psql app <<'SQL' && echo done\nDELETE FROM t;\nSQL\nls");
        Assert.Equal(["psql", "echo", "ls"], parsed.Commands.Select(c => c.Words[0].Text));
        var hereDoc = parsed.Commands[0].Redirections.Single().HereDoc!;
        Assert.Equal("DELETE FROM t;\n", hereDoc.Body);
        Assert.False(hereDoc.Expands);
    }

    [Fact]
    public void Tab_stripping_here_documents_end_at_an_indented_delimiter()
    {
        var parsed = ShellParser.Parse("bash <<-EOF\n\trm -rf /x\n\tEOF\necho after");
        Assert.Equal("rm -rf /x\n", parsed.Commands[0].Redirections.Single().HereDoc!.Body);
        Assert.Equal("echo", parsed.Commands[1].Words[0].Text);
    }

    [Fact]
    public void Unquoted_here_documents_run_their_substitutions() =>
        Assert.Contains("rm", Programs("cat <<EOF\n$(rm -rf /opt/x)\nEOF"));

    [Fact]
    public void Quoted_here_documents_run_nothing() =>
        Assert.DoesNotContain("rm", Programs("cat <<'EOF'\n$(rm -rf /opt/x)\nEOF"));

    [Fact]
    public void Pipelines_record_where_input_comes_from()
    {
        var commands = ShellParser.Parse("curl -s x | grep y | sh").Commands;
        Assert.Null(commands[0].PipedFrom);
        Assert.Equal("curl", commands[1].PipedFrom!.Single().Words[0].Text);
        Assert.Equal("grep", commands[2].PipedFrom!.Single().Words[0].Text);
    }

    [Fact]
    public void Expansions_make_a_word_non_literal()
    {
        var words = ShellParser.Parse("$CMD ${X}y `a` $(b) $((1+2)) plain 'q$x'").Commands.Last().Words;
        Assert.Equal([false, false, false, false, false, true, true], words.Select(w => w.IsLiteral));
        Assert.Equal("q$x", words[^1].Text);
    }

    [Fact]
    public void Globs_are_flagged_and_the_known_prefix_kept()
    {
        var word = ShellParser.Parse("rm /var/lib/my*/data").Commands.Single().Words[1];
        Assert.True(word.HasGlob);
        Assert.Equal("/var/lib/my", word.KnownPrefix);
        Assert.False(ShellParser.Parse("rm '/tmp/*'").Commands.Single().Words[1].HasGlob);
    }

    [Fact]
    public void Double_brackets_and_arithmetic_are_not_redirections()
    {
        var parsed = ShellParser.Parse("[[ $a > $b ]] && (( n > 3 )) && echo ok");
        Assert.Empty(parsed.Problems);
        Assert.All(parsed.Commands, c => Assert.Empty(c.Redirections));
        Assert.Equal(["[[", "echo"], parsed.Commands.Select(c => c.Words[0].Text));
    }

    [Theory]
    [InlineData("echo 'unterminated", "unterminated single quote")]
    [InlineData("echo \"unterminated", "unterminated double quote")]
    [InlineData("echo $(date", "unterminated command substitution")]
    [InlineData("if true; then echo", "missing 'fi'")]
    [InlineData("cat <<EOF\nno end", "here-document 'EOF' is not terminated")]
    [InlineData("echo hi )", "unexpected ')'")]
    public void Malformed_text_becomes_problems_not_exceptions(string text, string problem) =>
        Assert.Contains(problem, ShellParser.Parse(text).Problems);

    [Fact]
    public void Deep_nesting_stops_with_a_problem()
    {
        var text = string.Concat(Enumerable.Repeat("$(", 20)) + "ls" + new string(')', 20);
        Assert.Contains(ShellParser.Parse("echo " + text).Problems, p => p.Contains("nest too deeply"));
    }

    [Fact]
    public void Comments_are_ignored_but_hash_inside_words_is_not() =>
        Assert.Equal(["echo", "a#b"], Words("echo a#b # comment rm -rf /"));
}
