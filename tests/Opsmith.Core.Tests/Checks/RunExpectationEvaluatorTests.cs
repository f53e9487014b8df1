using Opsmith.Core.Checks;
using Opsmith.Core.Skills;

namespace Opsmith.Core.Tests.Checks;

public class RunExpectationEvaluatorTests
{
    private static RunExpectation Expect(int exitCode = 0, string? contains = null, string? notContains = null, string? matches = null,
        JsonExpectation? json = null) => new(exitCode, contains, notContains, matches, json);

    private static JsonExpectation Json(string path, Comparison comparison, string value) => new(path, comparison, value);

    private const string Pods = """{"items":[{"name":"api","status":"Running","restarts":2,"ready":true},{"name":"db","status":"Pending","restarts":"7","ready":null}]}""";

    [Fact]
    public void Default_expectation_passes_when_the_command_exits_0()
    {
        var outcome = RunExpectationEvaluator.Evaluate(RunExpectation.Success, 0, "ok\n", "");

        Assert.True(outcome.Passed);
        Assert.Equal("exit code 0", outcome.Detail);
    }

    [Fact]
    public void Exit_code_fails_with_actual_and_expected_codes_and_the_end_of_stderr()
    {
        var outcome = RunExpectationEvaluator.Evaluate(RunExpectation.Success, 3, "", "starting\nunit nginx.service not found\n");

        Assert.False(outcome.Passed);
        Assert.Equal("exit code 3, expected 0 (stderr: 'starting\\nunit nginx.service not found')", outcome.Detail);
    }

    [Fact]
    public void Exit_code_passes_when_a_nonzero_code_is_the_expected_one()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(exitCode: 3), 3, "", "inactive");

        Assert.True(outcome.Passed);
    }

    [Fact]
    public void Exit_code_mismatch_quotes_stdout_when_stderr_is_empty()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(exitCode: 1), 0, "active\n", "");

        Assert.Equal("exit code 0, expected 1 (stdout: 'active')", outcome.Detail);
    }

    [Fact]
    public void Fields_hold_stdout_stderr_and_exit_code_without_trailing_newlines()
    {
        var outcome = RunExpectationEvaluator.Evaluate(RunExpectation.Success, 0, "line1\nline2\n", "warn\n");

        Assert.Equal("line1\nline2", outcome.Fields["stdout"]);
        Assert.Equal("warn", outcome.Fields["stderr"]);
        Assert.Equal("0", outcome.Fields["exit_code"]);
    }

    [Fact]
    public void Stdout_contains_passes_when_the_text_is_present()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(contains: "active (running)"), 0, "Active: active (running) since …", "");

        Assert.True(outcome.Passed);
        Assert.Equal("exit code 0, stdout contains 'active (running)'", outcome.Detail);
    }

    [Fact]
    public void Stdout_contains_fails_naming_the_missing_text_and_quoting_stdout()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(contains: "active (running)"), 0, "Active: failed\n", "");

        Assert.False(outcome.Passed);
        Assert.Equal("stdout does not contain 'active (running)' (stdout: 'Active: failed')", outcome.Detail);
    }

    [Fact]
    public void Stdout_contains_is_case_sensitive()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(contains: "PONG"), 0, "pong", "");

        Assert.False(outcome.Passed);
    }

    [Fact]
    public void Stdout_excerpt_in_a_detail_is_capped_at_200_characters()
    {
        var stdout = new string('x', 5000);

        var outcome = RunExpectationEvaluator.Evaluate(Expect(contains: "ready"), 0, stdout, "");

        Assert.Equal($"stdout does not contain 'ready' (stdout: '{new string('x', 200)}…')", outcome.Detail);
    }

    [Fact]
    public void Stdout_not_contains_passes_when_the_text_is_absent()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(notContains: "ERROR"), 0, "all good", "");

        Assert.True(outcome.Passed);
    }

    [Fact]
    public void Stdout_not_contains_fails_quoting_the_text_around_the_match()
    {
        var stdout = new string('.', 300) + " ERROR disk full " + new string('.', 300);

        var outcome = RunExpectationEvaluator.Evaluate(Expect(notContains: "ERROR"), 0, stdout, "");

        Assert.False(outcome.Passed);
        Assert.StartsWith("stdout contains 'ERROR' but should not (near: '…", outcome.Detail);
        Assert.Contains("ERROR disk full", outcome.Detail);
    }

    [Fact]
    public void Stdout_matches_passes_when_a_line_matches_with_inline_multiline_anchors()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(matches: "(?m)^state: (active|reloading)$"), 0, "name: nginx\nstate: active\npid: 7\n", "");

        Assert.True(outcome.Passed);
    }

    [Fact]
    public void Stdout_matches_anchors_apply_to_the_whole_output_by_default()
    {
        Assert.False(RunExpectationEvaluator.Evaluate(Expect(matches: "^$"), 0, "big.log\n", "").Passed);
        Assert.True(RunExpectationEvaluator.Evaluate(Expect(matches: "^$"), 0, "", "").Passed);
        Assert.True(RunExpectationEvaluator.Evaluate(Expect(matches: "^active$"), 0, "active\n", "").Passed);
    }

    [Fact]
    public void Stdout_matches_fails_when_no_line_matches()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(matches: "^state: active$"), 0, "state: failed\n", "");

        Assert.False(outcome.Passed);
        Assert.Equal("stdout does not match /^state: active$/ (stdout: 'state: failed')", outcome.Detail);
    }

    [Fact]
    public void Stdout_matches_fails_with_reason_when_the_pattern_is_invalid()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(matches: "(unclosed"), 0, "anything", "");

        Assert.False(outcome.Passed);
        Assert.StartsWith("stdout_matches /(unclosed/ is not a valid regular expression: ", outcome.Detail);
    }

    [Fact]
    public void Stdout_matches_fails_instead_of_hanging_on_catastrophic_backtracking()
    {
        var stdout = new string('a', 40_000) + "!";

        var outcome = RunExpectationEvaluator.Evaluate(Expect(matches: "^(a|aa)+$"), 0, stdout, "");

        Assert.False(outcome.Passed);
        Assert.Contains("took longer than 1s", outcome.Detail);
    }

    [Fact]
    public void Expectations_are_reported_in_order_so_the_exit_code_wins_over_stdout()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(contains: "ok"), 2, "nope", "boom");

        Assert.StartsWith("exit code 2, expected 0", outcome.Detail);
    }

    [Fact]
    public void Json_equals_compares_a_string_unquoted_through_an_array_index()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.0.status", Comparison.Equals, "Running")), 0, Pods, "");

        Assert.True(outcome.Passed);
        Assert.Equal("exit code 0, json items.0.status equals Running", outcome.Detail);
    }

    [Fact]
    public void Json_equals_fails_showing_the_value_seen()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.1.status", Comparison.Equals, "Running")), 0, Pods, "");

        Assert.False(outcome.Passed);
        Assert.Equal("json items.1.status is 'Pending', expected 'Running'", outcome.Detail);
    }

    [Theory]
    [InlineData("items.0.restarts", "2")]
    [InlineData("items.0.ready", "true")]
    [InlineData("items.1.ready", "null")]
    public void Json_equals_compares_numbers_booleans_and_null_by_their_json_text(string path, string value)
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json(path, Comparison.Equals, value)), 0, Pods, "");

        Assert.True(outcome.Passed, outcome.Detail);
    }

    [Fact]
    public void Json_below_passes_when_the_number_is_smaller()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.0.restarts", Comparison.Below, "5")), 0, Pods, "");

        Assert.True(outcome.Passed);
    }

    [Fact]
    public void Json_below_fails_when_the_number_is_equal()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.0.restarts", Comparison.Below, "2")), 0, Pods, "");

        Assert.False(outcome.Passed);
        Assert.Equal("json items.0.restarts is 2, expected below 2", outcome.Detail);
    }

    [Fact]
    public void Json_above_passes_when_the_number_is_larger_with_decimals()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("load", Comparison.Above, "0.5")), 0, """{"load": 0.75}""", "");

        Assert.True(outcome.Passed);
    }

    [Fact]
    public void Json_above_fails_when_the_number_is_smaller()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("load", Comparison.Above, "1")), 0, """{"load": 0.75}""", "");

        Assert.False(outcome.Passed);
        Assert.Equal("json load is 0.75, expected above 1", outcome.Detail);
    }

    [Fact]
    public void Json_above_reads_a_string_that_holds_only_a_number()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.1.restarts", Comparison.Above, "5")), 0, Pods, "");

        Assert.True(outcome.Passed, outcome.Detail);
    }

    [Fact]
    public void Json_below_fails_with_reason_when_the_value_is_not_a_number()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.0.status", Comparison.Below, "3")), 0, Pods, "");

        Assert.False(outcome.Passed);
        Assert.Equal("json items.0.status is 'Running', not a number, so it cannot be compared below 3", outcome.Detail);
    }

    [Fact]
    public void Json_below_fails_with_reason_when_the_expected_value_is_not_a_number()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.0.restarts", Comparison.Below, "many")), 0, Pods, "");

        Assert.False(outcome.Passed);
        Assert.Contains("the expected value 'many' is not a number", outcome.Detail);
    }

    [Fact]
    public void Json_fails_when_stdout_is_not_json()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("status", Comparison.Equals, "ok")), 0, "Error: connection refused\n", "");

        Assert.False(outcome.Passed);
        Assert.StartsWith("json status: stdout is not valid JSON (", outcome.Detail);
        Assert.EndsWith("(stdout: 'Error: connection refused')", outcome.Detail);
    }

    [Fact]
    public void Json_fails_when_stdout_is_empty()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("status", Comparison.Equals, "ok")), 0, "\n", "");

        Assert.Equal("json status: stdout is empty, expected a JSON document", outcome.Detail);
    }

    [Fact]
    public void Json_fails_naming_the_missing_property_and_the_ones_present()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.0.phase", Comparison.Equals, "Running")), 0, Pods, "");

        Assert.False(outcome.Passed);
        Assert.StartsWith("json items.0.phase: 'items.0' has no property 'phase' (it has name, status, restarts, ready)", outcome.Detail);
    }

    [Fact]
    public void Json_fails_when_an_array_index_is_out_of_range()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.5.status", Comparison.Equals, "Running")), 0, Pods, "");

        Assert.StartsWith("json items.5.status: 'items' has 2 elements, no index 5", outcome.Detail);
    }

    [Fact]
    public void Json_fails_when_the_path_goes_through_a_plain_value()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("items.0.name.first", Comparison.Equals, "a")), 0, Pods, "");

        Assert.StartsWith("json items.0.name.first: 'items.0.name' is a string, it has no 'first'", outcome.Detail);
    }

    [Fact]
    public void Json_index_segments_work_on_a_top_level_array()
    {
        var outcome = RunExpectationEvaluator.Evaluate(Expect(json: Json("1", Comparison.Equals, "b")), 0, """["a","b"]""", "");

        Assert.True(outcome.Passed, outcome.Detail);
    }

    [Fact]
    public void All_expectations_together_pass_and_the_detail_lists_each()
    {
        var expect = Expect(contains: "Running", notContains: "CrashLoop", matches: "\"name\":\"api\"", json: Json("items.0.ready", Comparison.Equals, "true"));

        var outcome = RunExpectationEvaluator.Evaluate(expect, 0, Pods, "");

        Assert.True(outcome.Passed);
        Assert.Equal("exit code 0, stdout contains 'Running', stdout does not contain 'CrashLoop', stdout matches /\"name\":\"api\"/, json items.0.ready equals true", outcome.Detail);
    }
}
