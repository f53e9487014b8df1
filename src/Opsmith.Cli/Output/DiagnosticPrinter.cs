using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Yaml;

namespace Opsmith.Cli.Output;

/// <summary>
/// Prints diagnostics the way compilers do: <c>file:line:col: error: message [code]</c> (the code is the key into
/// docs/diagnostic-codes.md), then the source line
/// with a caret under the offending text, so the reader sees the problem without opening the file.
/// </summary>
public static class DiagnosticPrinter
{
    public static void Print(Terminal terminal, LoadedDocument document, Diagnostic diagnostic)
    {
        var label = diagnostic.IsError ? terminal.Red("error") : terminal.Yellow("warning");
        // The file name, the message (which quotes the file) and the source line all come from outside.
        terminal.Writer.WriteLine($"{TerminalText.OneLine(diagnostic.File)}:{diagnostic.Position.Line}:{diagnostic.Position.Column}: {label}: {TerminalText.Sanitize(diagnostic.Message)} {terminal.Dim($"[{diagnostic.Code}]")}");
        var source = new ScalarLocator(document.SourceText).Line(diagnostic.Position.Line);
        if (source.Length == 0 || source.Length > 300) return;
        var number = diagnostic.Position.Line.ToString();
        var gutter = new string(' ', number.Length);
        var column = Math.Min(diagnostic.Position.Column - 1, source.Length);
        var rawWidth = Math.Clamp(diagnostic.Length, 1, Math.Max(1, source.Length - column));
        // The caret is measured on the line as printed: an escaped control is wider than the character.
        var before = TerminalText.Sanitize(source[..column]);
        var width = Math.Max(1, TerminalText.Sanitize(source.Substring(column, Math.Min(rawWidth, source.Length - column))).Length);
        // Keep tabs in the caret line so the caret lines up under a tab-indented source line.
        var padding = new string(before.Select(c => c == '\t' ? '\t' : ' ').ToArray());
        terminal.Writer.WriteLine(terminal.Dim($" {number} | ") + before + TerminalText.Sanitize(source[column..]));
        terminal.Writer.WriteLine(terminal.Dim($" {gutter} | ") + padding + (diagnostic.IsError ? terminal.Red(new string('^', width)) : terminal.Yellow(new string('^', width))));
    }
}
