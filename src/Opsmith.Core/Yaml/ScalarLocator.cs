using Opsmith.Core.Diagnostics;

namespace Opsmith.Core.Yaml;

/// <summary>
/// Maps an offset inside a scalar's value back to a line and column in the source file, so that a problem
/// inside a multi-line <c>run: |</c> block points at the exact line of the script.
/// </summary>
public sealed class ScalarLocator(string sourceText)
{
    private readonly string[] _lines = sourceText.Split('\n');

    public SourcePosition Locate(YamlScalar scalar, int offset)
    {
        offset = Math.Clamp(offset, 0, scalar.Value.Length);
        var before = scalar.Value[..offset];
        var lineInValue = before.Count(c => c == '\n');
        var columnInLine = offset - (before.LastIndexOf('\n') + 1);
        if (scalar.IsBlock)
        {
            // Block content starts on the line after the '|' or '>' indicator, at the block's indentation.
            var line = scalar.Position.Line + 1 + lineInValue;
            var indent = IndentOf(line);
            return new SourcePosition(line, indent + columnInLine + 1);
        }
        if (lineInValue == 0)
        {
            var quote = scalar.IsPlain ? 0 : 1;
            return new SourcePosition(scalar.Position.Line, scalar.Position.Column + quote + columnInLine);
        }
        var sourceLine = scalar.Position.Line + lineInValue;
        return new SourcePosition(sourceLine, IndentOf(sourceLine) + columnInLine + 1);
    }

    /// <summary>The source line (1-based), without its line break, or "" past the end.</summary>
    public string Line(int line) => line >= 1 && line <= _lines.Length ? _lines[line - 1].TrimEnd('\r') : "";

    private int IndentOf(int line)
    {
        var text = Line(line);
        return text.Length - text.TrimStart(' ').Length;
    }
}
