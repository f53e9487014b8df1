using Opsmith.Core.Diagnostics;

namespace Opsmith.Cli.Output;

/// <summary>
/// With <c>--output json</c>, every failure is one document on stdout, so a program reading stdout always gets JSON
/// (docs/cli.md): <c>{"error": {"kind", "message", "exit_code", "diagnostics"}}</c>. The person still gets the text on stderr.
/// </summary>
public static class ErrorDocument
{
    /// <summary>The kind a failure without an error value has, from the exit code it ends with.</summary>
    public static string KindOf(int exitCode) => exitCode switch
    {
        ExitCodes.Usage => "bad-request",
        ExitCodes.Invalid => "invalid",
        ExitCodes.InternalError => "internal",
        ExitCodes.Interrupted => "interrupted",
        _ => "failed",
    };

    public static void Write(TextWriter stdout, string kind, string message, int exitCode, IEnumerable<Diagnostic>? diagnostics = null) =>
        JsonOutput.Write(stdout, new
        {
            error = new
            {
                kind,
                message,
                exit_code = exitCode,
                diagnostics = (diagnostics ?? []).Select(d => new
                {
                    file = d.File, line = d.Position.Line, column = d.Position.Column, severity = d.Label, code = d.Code, message = d.Message,
                    path = d.Path, suggestion = d.Suggestion,
                }),
            },
        });
}
