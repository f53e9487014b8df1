using System.Text;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;

namespace Opsmith.Core.Tests.Skills;

/// <summary>
/// Inputs whose bytes cannot hold <c># expect</c> comments (empty, binary, not UTF-8, too large) or that must be
/// built in code (BOM, CRLF, a generated YAML bomb). Each asserts the exact code, position and message.
/// </summary>
public sealed class HostileInputTests
{
    private const string Skill = """
        apiVersion: opsmith/v1
        kind: Skill
        metadata:
          name: check-disk
          title: Check disk
          description: Shows disk usage.
          stage: diagnosis
        spec:
          targets: web1
          risk: read
          actions:
            - name: df
              run: df -h

        """;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static Diagnostic SingleDiagnostic(byte[] bytes)
    {
        var document = DocumentLoader.Load("hostile.yaml", bytes);
        Assert.False(document.IsValid);
        Assert.Null(document.Model);
        return Assert.Single(document.Diagnostics);
    }

    private static void AssertDiagnostic(Diagnostic diagnostic, string code, int line, int column, string message)
    {
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal(new SourcePosition(line, column), diagnostic.Position);
        Assert.Equal(message, diagnostic.Message);
        Assert.True(diagnostic.IsError);
    }

    [Fact]
    public void The_base_skill_is_valid()
    {
        var document = DocumentLoader.Load("base.yaml", Utf8(Skill));

        Assert.True(document.IsValid);
        Assert.Empty(document.Diagnostics);
    }

    [Fact]
    public void An_empty_file_is_reported_at_its_start()
    {
        AssertDiagnostic(SingleDiagnostic([]), "empty-file", 1, 1, "file is empty; expected a YAML document");
    }

    [Fact]
    public void A_file_of_blank_lines_is_empty()
    {
        AssertDiagnostic(SingleDiagnostic(Utf8("  \n\n \t\n")), "empty-file", 1, 1, "file is empty; expected a YAML document");
    }

    [Fact]
    public void A_file_holding_only_a_byte_order_mark_is_empty()
    {
        AssertDiagnostic(SingleDiagnostic([0xEF, 0xBB, 0xBF]), "empty-file", 1, 1, "file is empty; expected a YAML document");
    }

    [Fact]
    public void A_nul_byte_marks_the_file_as_binary_at_the_byte()
    {
        var bytes = Utf8("apiVersion: opsmith/v1\nkind: Sk\0ill\n");

        AssertDiagnostic(SingleDiagnostic(bytes), "not-text", 2, 9, "file is binary (it contains a NUL byte); expected YAML text");
    }

    [Fact]
    public void A_binary_file_is_not_parsed()
    {
        byte[] bytes = [0x7F, (byte)'E', (byte)'L', (byte)'F', 0x02, 0x01, 0x01, 0x00, 0x00];

        AssertDiagnostic(SingleDiagnostic(bytes), "not-text", 1, 8, "file is binary (it contains a NUL byte); expected YAML text");
    }

    [Fact]
    public void An_invalid_utf8_byte_is_reported_where_it_is()
    {
        byte[] bytes = [.. Utf8("apiVersion: opsmith/v1\nkind: Sk"), 0xFF, .. Utf8("ill\n")];

        AssertDiagnostic(SingleDiagnostic(bytes), "not-text", 2, 9, "file is not valid UTF-8 text; save it as UTF-8");
    }

    [Fact]
    public void A_latin1_file_is_asked_to_be_saved_as_utf8()
    {
        // "Café" saved as ISO-8859-1: the é is the single byte 0xE9.
        byte[] bytes = [.. Utf8("apiVersion: opsmith/v1\nkind: Skill\nmetadata:\n  title: Caf"), 0xE9, .. Utf8("\n")];

        AssertDiagnostic(SingleDiagnostic(bytes), "not-text", 4, 13, "file is not valid UTF-8 text; save it as UTF-8");
    }

    [Fact]
    public void A_ten_megabyte_document_is_rejected_before_parsing()
    {
        var text = new StringBuilder(Skill).Append("# ").Append('x', 10 * 1024 * 1024).Append('\n').ToString();
        var diagnostic = SingleDiagnostic(Utf8(text));

        AssertDiagnostic(diagnostic, "file-too-large", 1, 1, "file is 10.0 MiB (10485977 bytes); Opsmith reads YAML files of at most 1 MiB (1048576 bytes)");
    }

    [Fact]
    public void A_file_too_large_to_read_is_reported_from_its_length()
    {
        var document = DocumentLoader.TooLarge("huge.yaml", 10L * 1024 * 1024);

        Assert.False(document.IsValid);
        AssertDiagnostic(Assert.Single(document.Diagnostics), "file-too-large", 1, 1,
            "file is 10.0 MiB (10485760 bytes); Opsmith reads YAML files of at most 1 MiB (1048576 bytes)");
    }

    [Fact]
    public void A_document_of_exactly_the_size_limit_is_read()
    {
        var padding = 1024 * 1024 - Skill.Length - 2;
        var bytes = Utf8(Skill + "#" + new string('x', padding) + "\n");
        Assert.Equal(1024 * 1024, bytes.Length);

        var document = DocumentLoader.Load("limit.yaml", bytes);

        Assert.True(document.IsValid);
        Assert.Empty(document.Diagnostics);
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_skipped()
    {
        var document = DocumentLoader.Load("bom.yaml", [0xEF, 0xBB, 0xBF, .. Utf8(Skill)]);

        Assert.True(document.IsValid);
        Assert.Empty(document.Diagnostics);
        Assert.Equal("check-disk", document.Skill!.Name);
    }

    [Fact]
    public void A_byte_order_mark_does_not_shift_columns_on_the_first_line()
    {
        var bytes = (byte[])[0xEF, 0xBB, 0xBF, .. Utf8(Skill.Replace("opsmith/v1", "opsmith/v2", StringComparison.Ordinal))];

        AssertDiagnostic(SingleDiagnostic(bytes), "bad-api-version", 1, 13,
            "apiVersion is 'opsmith/v2'; this Opsmith reads 'opsmith/v1'; did you mean 'opsmith/v1'?");
    }

    [Fact]
    public void Crlf_line_endings_keep_positions_inside_block_scripts()
    {
        var text = Skill.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace("run: df -h", "run: |\n        set -e\n        df -h {{ inputs.pth }}", StringComparison.Ordinal)
            .Replace("\n", "\r\n", StringComparison.Ordinal);

        AssertDiagnostic(SingleDiagnostic(Utf8(text)), "undeclared-input", 15, 15,
            "template refers to input 'pth', which is not declared in spec.inputs");
    }

    [Fact]
    public void A_deep_yaml_bomb_is_rejected_at_the_node_limit()
    {
        // 30 levels of ten aliases each would expand to 10^30 nodes.
        var text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 30; i++)
            text.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        var diagnostic = SingleDiagnostic(Utf8(text.ToString()));

        // a0..a3 expand to 11, 111, 1111 and 11111 nodes (12349 with the root and the keys); a4's eighth alias
        // to a3, at column 45, passes 100000.
        AssertDiagnostic(diagnostic, "too-many-nodes", 5, 45,
            "YAML expands to more than 100000 nodes (aliases repeated too often: a YAML bomb?)");
    }

    [Fact]
    public void Half_a_million_open_brackets_stop_at_the_depth_limit()
    {
        var diagnostic = SingleDiagnostic(Utf8("a: " + new string('[', 500_000) + "\n"));

        // The root mapping is level 0, the value's first '[' (column 4) level 1, ... the 65th '[' level 65.
        AssertDiagnostic(diagnostic, "too-deep", 1, 68, "YAML is nested deeper than 64 levels");
    }

    [Fact]
    public void Deep_block_nesting_stops_at_the_depth_limit()
    {
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', i) + "k:\n"));

        AssertDiagnostic(SingleDiagnostic(Utf8(text)), "too-deep", 65, 65, "YAML is nested deeper than 64 levels");
    }

    [Theory]
    [InlineData("      timeout: 999999999999999999999d", 14, 16, "bad-duration",
        "'timeout' in action 'df' is '999999999999999999999d', longer than the longest allowed (24d)")]
    [InlineData("      timeout: 1000000d", 14, 16, "bad-duration", "'timeout' in action 'df' is '1000000d', longer than the longest allowed (24d)")]
    [InlineData("      timeout: 99999999999999999999999999999999999999999999ms", 14, 16, "bad-duration",
        "'timeout' in action 'df' is '9999999999999999999999999999999999999999…', longer than the longest allowed (24d)")]
    public void A_huge_duration_is_a_diagnostic_at_its_line_not_an_overflow(string line, int at, int column, string code, string message)
    {
        AssertDiagnostic(SingleDiagnostic(Utf8(Skill.TrimEnd() + "\n" + line + "\n")), code, at, column, message);
    }

    [Fact]
    public void A_number_too_large_for_any_integer_is_out_of_range_at_its_line()
    {
        var text = Skill.Replace("spec:\n", "spec:\n  inputs:\n    count: {type: int, min: 99999999999999999999999}\n" +
                                             "  preconditions:\n    - {name: p, run: df -h, expect: {exit_code: 99999999999999999999}}\n",
            StringComparison.Ordinal);

        var document = DocumentLoader.Load("numbers.yaml", Utf8(text));

        Assert.Collection(document.Diagnostics.Where(d => d.IsError),
            d => Assert.Equal(("out-of-range", 10), (d.Code, d.Position.Line)),
            d => Assert.Equal(("out-of-range", 12), (d.Code, d.Position.Line)));
    }
}
