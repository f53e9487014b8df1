using System.Text.RegularExpressions;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Yaml;

namespace Opsmith.Application.Import;

/// <summary>One YAML document of a source file, with the line its first key is on.</summary>
public sealed record SourceDocument(YamlMapping Root, int Line)
{
    public string? Str(string key) => SourceYaml.Str(Root, key);
    public int LineOf(string key) => SourceYaml.LineOf(Root, key);
}

/// <summary>
/// Reads the YAML of another system: several documents per file (Kubernetes style, split at <c>---</c>), each parsed
/// with Opsmith's own reader so line numbers are those of the source file. Syntax errors are diagnostics, never exceptions.
/// </summary>
public static partial class SourceYaml
{
    public static IReadOnlyList<SourceDocument> ReadAll(string file, string text, ImportNotes notes)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var starts = new List<int> { 0 };
        for (var i = 0; i < lines.Length; i++)
            if (DocumentSeparator().IsMatch(lines[i])) starts.Add(i + 1);
        var documents = new List<SourceDocument>();
        for (var d = 0; d < starts.Count; d++)
        {
            var from = starts[d];
            var to = d + 1 < starts.Count ? starts[d + 1] - 1 : lines.Length;
            // Blank out every other line so the reader's positions are the source file's.
            var padded = string.Join('\n', lines.Select((l, i) => i >= from && i < to ? l : ""));
            if (lines.Skip(from).Take(to - from).All(l => l.Trim().Length == 0 || l.TrimStart().StartsWith('#'))) continue;
            var bag = new DiagnosticBag(file);
            var root = YamlDocumentReader.Read(padded, bag);
            notes.AddRange(bag.Items.Select(x => x with { Code = ImportCodes.CannotImport, Message = x.Message + "; this document is not imported" }));
            if (root is YamlMapping mapping) documents.Add(new SourceDocument(mapping, mapping.Position.Line));
            else if (root is not null)
                notes.CannotImport(root.Position.Line, "document", $"the document is {root.KindName}, not a mapping of fields; nothing to import");
        }
        return documents;
    }

    public static string? Str(YamlMapping? map, string key) =>
        map?[key] is YamlScalar { IsNull: false } s ? s.Value : null;

    public static YamlMapping? Map(YamlMapping? map, string key) => map?[key] as YamlMapping;

    public static IReadOnlyList<YamlNode> Seq(YamlMapping? map, string key) => (map?[key] as YamlSequence)?.Items ?? [];

    public static IReadOnlyList<string> Strings(YamlMapping? map, string key) => map?[key] switch
    {
        YamlSequence s => s.Items.OfType<YamlScalar>().Where(x => !x.IsNull).Select(x => x.Value).ToList(),
        YamlScalar { IsNull: false } one => [one.Value],
        _ => [],
    };

    public static int LineOf(YamlMapping? map, string key) => map?.Find(key)?.Key.Position.Line ?? map?.Position.Line ?? 1;

    /// <summary>A name in lower-kebab-case, as Opsmith names skills, steps, agents and hosts.</summary>
    public static string Kebab(string text)
    {
        var kebab = NonAlphanumeric().Replace(text.Trim().ToLowerInvariant(), "-").Trim('-');
        return kebab.Length == 0 ? "unnamed" : kebab.Length > 63 ? kebab[..63].TrimEnd('-') : kebab;
    }

    /// <summary>A name in lower_snake_case, as Opsmith names inputs.</summary>
    public static string Snake(string text)
    {
        var snake = Kebab(text).Replace('-', '_');
        return char.IsAsciiDigit(snake[0]) ? "v_" + snake : snake;
    }

    /// <summary>An environment variable name made from a reference (llm-api-key → LLM_API_KEY).</summary>
    public static string EnvName(params string[] parts) =>
        string.Join('_', parts.Where(p => p.Length > 0).Select(p => Kebab(p).ToUpperInvariant().Replace('-', '_')));

    [GeneratedRegex(@"^---(\s.*)?$")]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();
}
