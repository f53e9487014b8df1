using Opsmith.Core.Templates;

namespace Opsmith.Core.Tests.Templates;

/// <summary>Where a template stands in a command decides whether its shell-quoted value stays one word.</summary>
public sealed class ShellQuotingTests
{
    /// <summary>Each case marks the template's position with ^^.</summary>
    [Theory]
    [InlineData("echo ^^", QuoteContext.Unquoted)]
    [InlineData("kubectl scale --replicas=^^", QuoteContext.Unquoted)]
    [InlineData("echo \"$(cat ^^)\"", QuoteContext.Unquoted)]
    [InlineData("echo `cat ^^`", QuoteContext.Unquoted)]
    [InlineData("echo 'it''s' ^^", QuoteContext.Unquoted)]
    [InlineData("echo \"a \\\" b\" ^^", QuoteContext.Unquoted)]
    [InlineData("cat <<'EOF'\nhello\nEOF\necho ^^", QuoteContext.Unquoted)]
    [InlineData("x=$( (echo a) ); echo ^^", QuoteContext.Unquoted)]
    [InlineData("echo \"^^\"", QuoteContext.DoubleQuotes)]
    [InlineData("echo 'unit ^^ is'", QuoteContext.SingleQuotes)]
    [InlineData("awk '{ print ^^ }'", QuoteContext.SingleQuotes)]
    [InlineData("cat <<EOF\nunit ^^\nEOF", QuoteContext.HereDocument)]
    [InlineData("conf=$(cat <<EOF\nserver_name ^^;\nEOF\n)", QuoteContext.HereDocument)]
    [InlineData("cat <<EOF\ndon't\nEOF\necho '^^'", QuoteContext.SingleQuotes)]
    [InlineData("cat <<EOF\n\tEOF\nstill body ^^\nEOF", QuoteContext.HereDocument)]
    [InlineData("cat <<-EOF\n\tbody\n\tEOF\necho ^^", QuoteContext.Unquoted)]
    [InlineData("# restart ^^\nsystemctl restart nginx", QuoteContext.Comment)]
    [InlineData("true; # note ^^", QuoteContext.Comment)]
    [InlineData("echo a#b ^^", QuoteContext.Unquoted)]
    [InlineData("echo $^^", QuoteContext.AfterDollarOrBackslash)]
    [InlineData("echo \\^^", QuoteContext.AfterDollarOrBackslash)]
    [InlineData("out=\"$(case \"$m\" in a) echo;; esac; echo \"^^\")\"", QuoteContext.DoubleQuotes)]
    [InlineData("out=\"$(case \"$m\" in a) echo;; esac)\" ^^", QuoteContext.Unquoted)]
    public void Finds_the_quoting_context_of_a_position(string marked, QuoteContext expected)
    {
        var offset = marked.IndexOf("^^", StringComparison.Ordinal);
        var command = marked.Replace("^^", "{{ inputs.x }}");

        Assert.Equal(expected, ShellQuoting.ContextAt(command, offset));
    }
}
