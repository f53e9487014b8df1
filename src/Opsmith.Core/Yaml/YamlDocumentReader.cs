using System.Text;
using Opsmith.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Opsmith.Core.Yaml;

/// <summary>Limits that keep hostile or accidental input (YAML bombs, huge files) from hurting the reader.</summary>
public sealed record YamlLimits(int MaxBytes = 1024 * 1024, int MaxDepth = 64, long MaxNodes = 100_000)
{
    public static readonly YamlLimits Default = new();
}

/// <summary>
/// Turns the bytes of a file into one <see cref="YamlNode"/> tree, reporting every problem into a
/// <see cref="DiagnosticBag"/> instead of throwing. Returns null when there is no usable document.
/// </summary>
public static class YamlDocumentReader
{
    public static YamlNode? Read(byte[] bytes, DiagnosticBag diagnostics, YamlLimits? limits = null)
    {
        limits ??= YamlLimits.Default;
        if (bytes.Length > limits.MaxBytes)
        {
            ReportTooLarge(bytes.Length, diagnostics, limits);
            return null;
        }
        if (bytes.Length >= 2 && (bytes[0] == 0xFF && bytes[1] == 0xFE || bytes[0] == 0xFE && bytes[1] == 0xFF))
        {
            diagnostics.Error("not-text", SourcePosition.Start, "file is UTF-16 text; save it as UTF-8");
            return null;
        }
        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            diagnostics.Error("not-text", PositionOfByte(bytes, Array.IndexOf(bytes, (byte)0)),
                "file is binary (it contains a NUL byte); expected YAML text");
            return null;
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            diagnostics.Error("not-text", PositionOfByte(bytes, e.Index), "file is not valid UTF-8 text; save it as UTF-8");
            return null;
        }
        return Read(text.TrimStart('\uFEFF'), diagnostics, limits);
    }

    public static void ReportTooLarge(long length, DiagnosticBag diagnostics, YamlLimits limits) =>
        diagnostics.Error("file-too-large", SourcePosition.Start, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"file is {length / 1024.0 / 1024.0:0.0} MiB ({length} bytes); Opsmith reads YAML files of at most {limits.MaxBytes / 1024.0 / 1024.0:0.#} MiB ({limits.MaxBytes} bytes)"));

    public static YamlNode? Read(string text, DiagnosticBag diagnostics, YamlLimits? limits = null)
    {
        limits ??= YamlLimits.Default;
        if (string.IsNullOrWhiteSpace(text) || text.Split('\n').All(l => l.TrimStart().StartsWith('#') || l.Trim().Length == 0))
        {
            diagnostics.Error("empty-file", SourcePosition.Start, "file is empty; expected a YAML document");
            return null;
        }
        var builder = new TreeBuilder(new Parser(new StringReader(text)), diagnostics, limits);
        try
        {
            return builder.ReadSingleDocument();
        }
        catch (YamlException e)
        {
            // YamlDotNet leaves some marks empty (line 0): fall back to the last node read, never to 1:1 blindly.
            var known = e.Start.Line > 0;
            var tab = known ? FindTabIndentation(text, (int)e.Start.Line, exact: true) : null;
            if (tab is null && e.Message.Contains(" tab ", StringComparison.OrdinalIgnoreCase))
                tab = FindTabIndentation(text, known ? (int)e.Start.Line : builder.LastPosition.Line, exact: false);
            if (tab is not null)
                diagnostics.Error("tab-indentation", tab.Value,
                    "YAML syntax error: a tab is used for indentation; YAML allows only spaces (replace the tab with spaces)");
            else
                diagnostics.Error("yaml-syntax", known ? ToPosition(e.Start) : builder.LastPosition, DescribeSyntaxError(e) + builder.UnclosedHint());
            return null;
        }
        catch (LimitExceeded)
        {
            return null; // already reported
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) for some unclosed flow collections.
            if (builder.InnermostFlow is { } open)
                diagnostics.Error("yaml-syntax", open.At,
                    $"YAML syntax error: the '{open.Bracket}' opened here is never closed; add the matching '{(open.Bracket == '[' ? ']' : '}')}'");
            else
                diagnostics.Error("yaml-syntax", builder.LastPosition, "YAML syntax error: a '[' or '{' opened before this point is never closed");
            return null;
        }
    }

    internal static SourcePosition ToPosition(Mark mark) => new((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private static SourcePosition PositionOfByte(byte[] bytes, int index)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < index && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n') { line++; column = 1; }
            else column++;
        }
        return new SourcePosition(line, column);
    }

    /// <summary>
    /// The tab YAML refused. YamlDotNet reports it where the scanner trips (often the line before), or with no
    /// line at all: look around the reported line, else at and after the last line read, else anywhere. A tab on
    /// an otherwise blank line (inside a block scalar, say) counts: YAML refuses it there too.
    /// </summary>
    private static SourcePosition? FindTabIndentation(string text, int errorLine, bool exact)
    {
        var lines = text.Split('\n');
        SourcePosition? TabIn(int line)
        {
            var content = lines[line - 1].TrimEnd('\r');
            var indent = content[..(content.Length - content.TrimStart(' ', '\t').Length)];
            var tab = indent.IndexOf('\t');
            return tab >= 0 ? new SourcePosition(line, tab + 1) : null;
        }
        var from = Math.Max(1, errorLine - 1);
        if (exact)
        {
            for (var line = from; line <= Math.Min(lines.Length, errorLine + 1); line++)
                if (TabIn(line) is { } near) return near;
            return null;
        }
        for (var line = from; line <= lines.Length; line++)
            if (TabIn(line) is { } after) return after;
        for (var line = 1; line < from && line <= lines.Length; line++)
            if (TabIn(line) is { } before) return before;
        return null;
    }

    private static string DescribeSyntaxError(YamlException e)
    {
        var message = e.Message;
        // YamlDotNet prefixes messages with the position ("(Line: 3, Col: 1, Idx: 20) - (...): "); we print our own.
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith('(') && cut > 0) message = message[(cut + 3)..];
        return $"YAML syntax error: {message.TrimEnd('.')}";
    }

    private sealed class LimitExceeded : Exception;

    private sealed class TreeBuilder(IParser parser, DiagnosticBag diagnostics, YamlLimits limits)
    {
        private readonly Dictionary<string, (YamlNode Node, long Size)> _anchors = new();
        private readonly HashSet<string> _openAnchors = [];
        private long _expandedNodes;
        private bool _sawAlias;

        private readonly Stack<(char Bracket, SourcePosition At)> _flows = new();

        public SourcePosition LastPosition { get; private set; } = SourcePosition.Start;

        /// <summary>The innermost '[' or '{' still open when the parser stopped, if any.</summary>
        public (char Bracket, SourcePosition At)? InnermostFlow => _flows.Count > 0 ? _flows.Peek() : null;

        public string UnclosedHint() =>
            InnermostFlow is { } open ? $" (the '{open.Bracket}' at line {open.At.Line}, column {open.At.Column} is not closed)" : "";

        public YamlNode? ReadSingleDocument()
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var (root, _) = ReadNode("", 0);
            parser.Consume<DocumentEnd>();
            if (parser.TryConsume<DocumentStart>(out var second))
            {
                diagnostics.Error("multiple-documents", ToPosition(second.Start),
                    "file holds more than one YAML document; put one skill in each file");
            }
            return root;
        }

        private (YamlNode Node, long Size) ReadNode(string path, int depth)
        {
            if (depth > limits.MaxDepth)
            {
                var current = parser.Current!;
                diagnostics.Error("too-deep", ToPosition(current.Start),
                    $"YAML is nested deeper than {limits.MaxDepth} levels", path);
                throw new LimitExceeded();
            }

            if (parser.Current is { } current0) LastPosition = ToPosition(current0.Start);
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                _sawAlias = true;
                if (_openAnchors.Contains(alias.Value.Value))
                {
                    diagnostics.Error("alias-cycle", ToPosition(alias.Start),
                        $"alias '*{alias.Value}' refers to a node that contains it (a cycle)", path);
                    throw new LimitExceeded();
                }
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    diagnostics.Error("unknown-alias", ToPosition(alias.Start),
                        $"alias '*{alias.Value}' refers to no anchor defined before it", path);
                    throw new LimitExceeded();
                }
                Count(target.Size, alias.Start, path);
                return target;
            }

            if (parser.TryConsume<Scalar>(out var scalar))
            {
                Count(1, scalar.Start, path);
                var node = new YamlScalar(ToPosition(scalar.Start), path, scalar.Value,
                    scalar.Style == ScalarStyle.Plain, scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded,
                    (int)Math.Max(1, scalar.End.Index - scalar.Start.Index));
                return Remember(scalar.Anchor, (node, 1));
            }

            if (parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                Open(sequenceStart.Anchor);
                var items = new List<YamlNode>();
                long size = 1;
                Count(1, sequenceStart.Start, path);
                if (sequenceStart.Style == SequenceStyle.Flow) _flows.Push(('[', ToPosition(sequenceStart.Start)));
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    var (item, itemSize) = ReadNode($"{path}[{items.Count}]", depth + 1);
                    items.Add(item);
                    size += itemSize;
                }
                if (sequenceStart.Style == SequenceStyle.Flow) _flows.Pop();
                return Remember(sequenceStart.Anchor, (new YamlSequence(ToPosition(sequenceStart.Start), path, items), size));
            }

            var mappingStart = parser.Consume<MappingStart>();
            Open(mappingStart.Anchor);
            var entries = new List<YamlEntry>();
            var seen = new Dictionary<string, YamlEntry>(StringComparer.Ordinal);
            long mappingSize = 1;
            Count(1, mappingStart.Start, path);
            var flow = mappingStart.Style == MappingStyle.Flow;
            if (flow) _flows.Push(('{', ToPosition(mappingStart.Start)));
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current!;
                var (keyNode, keySize) = ReadNode(path, depth + 1);
                if (keyNode is not YamlScalar key)
                {
                    diagnostics.Error("complex-key", ToPosition(keyEvent.Start), "mapping keys must be plain words", path);
                    SkipNode(depth + 1);
                    continue;
                }
                var childPath = path.Length == 0 ? key.Value : $"{path}.{key.Value}";
                var (value, valueSize) = ReadNode(childPath, depth + 1);
                if (seen.TryGetValue(key.Value, out var first))
                {
                    diagnostics.Error("duplicate-key", key.Position,
                        $"duplicate key '{key.Value}' (first defined at line {first.Key.Position.Line}); a later value would silently replace the first",
                        childPath, length: key.Value.Length);
                    continue;
                }
                var entry = new YamlEntry(key with { Path = childPath }, value);
                entries.Add(entry);
                seen[key.Value] = entry;
                mappingSize += keySize + valueSize;
            }
            if (flow) _flows.Pop();
            return Remember(mappingStart.Anchor, (new YamlMapping(ToPosition(mappingStart.Start), path, entries), mappingSize));
        }

        private void SkipNode(int depth) => ReadNode("", depth);

        private void Open(AnchorName anchor)
        {
            if (!anchor.IsEmpty) _openAnchors.Add(anchor.Value);
        }

        private (YamlNode, long) Remember(AnchorName anchor, (YamlNode Node, long Size) entry)
        {
            if (!anchor.IsEmpty)
            {
                _openAnchors.Remove(anchor.Value);
                _anchors[anchor.Value] = entry;
            }
            return entry;
        }

        private void Count(long nodes, Mark at, string path)
        {
            _expandedNodes += nodes;
            if (_expandedNodes > limits.MaxNodes)
            {
                diagnostics.Error("too-many-nodes", ToPosition(at),
                    _sawAlias
                        ? $"YAML expands to more than {limits.MaxNodes} nodes (aliases repeated too often: a YAML bomb?)"
                        : $"YAML holds more than {limits.MaxNodes} nodes; an Opsmith document is far smaller", path);
                throw new LimitExceeded();
            }
        }
    }
}
