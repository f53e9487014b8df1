using System.Text;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Inventories;
using Opsmith.Core.Skills;
using Opsmith.Core.TaskCards;
using Opsmith.Core.Text;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Documents;

/// <summary>The kinds of document Opsmith reads. Each is YAML with <c>apiVersion: opsmith/v1</c> and a <c>kind</c>.</summary>
public enum DocumentKind { Unknown, Skill, TaskCard, Inventory, Agent, Environment }

/// <summary>The outcome of reading one file: its kind, the typed model when it is valid, and every problem found.</summary>
public sealed record LoadedDocument(
    string File,
    DocumentKind Kind,
    object? Model,
    IReadOnlyList<Diagnostic> Diagnostics,
    IReadOnlyList<CommandSource> Commands,
    string SourceText)
{
    public bool IsValid => Model is not null && !Diagnostics.Any(d => d.IsError);
    public Skill? Skill => Model as Skill;
    public TaskCard? TaskCard => Model as TaskCard;
    public Inventory? Inventory => Model as Inventory;
    public Agents.AgentDefinition? Agent => Model as Agents.AgentDefinition;
    public Agents.EnvironmentDefinition? Environment => Model as Agents.EnvironmentDefinition;
}

/// <summary>
/// Reads Opsmith documents from text. The caller does the file I/O; this stays pure so it can be tested
/// and reused from the CLI, the API and the agent alike.
/// </summary>
public static class DocumentLoader
{
    private static readonly string[] Kinds = ["Skill", "TaskCard", "Inventory", "Agent", "Environment"];

    /// <param name="expected">
    /// The kind the caller wants (generate wants a task card), or <see cref="DocumentKind.Unknown"/> for any. It decides
    /// how a document without an apiVersion/kind header is read; a header, when present, always wins.
    /// </param>
    public static LoadedDocument Load(string file, byte[] bytes, YamlLimits? limits = null, DocumentKind expected = DocumentKind.Unknown)
    {
        var diagnostics = new DiagnosticBag(file);
        var root = YamlDocumentReader.Read(bytes, diagnostics, limits);
        // A syntax error needs its source line for the snippet too; only text that is not text has none to show.
        var text = root is null && diagnostics.Items.Any(d => d.Code is "not-text" or "file-too-large") ? "" : DecodeForSnippets(bytes);
        return Finish(file, root, text, diagnostics, expected);
    }

    /// <summary>A file too large to read at all: reported from its length alone.</summary>
    public static LoadedDocument TooLarge(string file, long length, YamlLimits? limits = null)
    {
        var diagnostics = new DiagnosticBag(file);
        YamlDocumentReader.ReportTooLarge(length, diagnostics, limits ?? YamlLimits.Default);
        return new LoadedDocument(file, DocumentKind.Unknown, null, diagnostics.Sorted(), [], "");
    }

    public static LoadedDocument Load(string file, string text, YamlLimits? limits = null, DocumentKind expected = DocumentKind.Unknown)
    {
        var diagnostics = new DiagnosticBag(file);
        var root = YamlDocumentReader.Read(text, diagnostics, limits);
        return Finish(file, root, text, diagnostics, expected);
    }

    private static LoadedDocument Finish(string file, YamlNode? root, string text, DiagnosticBag diagnostics, DocumentKind expected)
    {
        if (root is null) return new LoadedDocument(file, DocumentKind.Unknown, null, diagnostics.Sorted(), [], text);
        var read = new NodeReader(diagnostics);
        var mapping = read.Mapping(root, "the document");
        if (mapping is null) return new LoadedDocument(file, DocumentKind.Unknown, null, diagnostics.Sorted(), [], text);
        if (ReadWithoutHeader(mapping, expected, diagnostics) is { } plain)
        {
            var card = plain == DocumentKind.TaskCard ? TaskCardReader.Read(mapping, text, diagnostics) : null;
            return new LoadedDocument(file, plain, diagnostics.HasErrors ? null : card, diagnostics.Sorted(), [], text);
        }

        var apiVersion = read.String(mapping, "apiVersion", "the document", required: true);
        if (apiVersion is not null && apiVersion != SkillReader.ApiVersion)
            diagnostics.Error("bad-api-version", mapping["apiVersion"]!.Position,
                $"apiVersion is '{NodeReader.Truncate(apiVersion)}'; this Opsmith reads '{SkillReader.ApiVersion}'", "apiVersion",
                Suggestions.Closest(apiVersion, [SkillReader.ApiVersion]));
        var kindText = read.String(mapping, "kind", "the document", required: true);
        var kind = kindText switch
        {
            "Skill" => DocumentKind.Skill,
            "TaskCard" => DocumentKind.TaskCard,
            "Inventory" => DocumentKind.Inventory,
            "Agent" => DocumentKind.Agent,
            "Environment" => DocumentKind.Environment,
            _ => DocumentKind.Unknown,
        };
        if (kindText is not null && kind == DocumentKind.Unknown)
            diagnostics.Error("bad-kind", mapping["kind"]!.Position,
                $"kind is '{NodeReader.Truncate(kindText)}'; Opsmith reads {string.Join(", ", Kinds)}", "kind", Suggestions.Closest(kindText, Kinds));

        object? model = null;
        IReadOnlyList<CommandSource> commands = [];
        switch (kind)
        {
            case DocumentKind.Skill:
                (model, commands) = SkillReader.ReadWithCommands(mapping, text, diagnostics);
                break;
            case DocumentKind.TaskCard:
                model = TaskCardReader.Read(mapping, text, diagnostics);
                break;
            case DocumentKind.Inventory:
                model = InventoryReader.Read(mapping, file, text, diagnostics);
                break;
            case DocumentKind.Agent:
                model = Agents.AgentReader.ReadAgent(mapping, file, text, diagnostics);
                break;
            case DocumentKind.Environment:
                model = Agents.AgentReader.ReadEnvironment(mapping, file, diagnostics);
                break;
        }
        if (diagnostics.HasErrors) model = null;
        return new LoadedDocument(file, kind, model, diagnostics.Sorted(), commands, text);
    }

    /// <summary>
    /// A document without apiVersion and kind, read by what its fields say it is: an OpsSkill task card (or any
    /// header-less document when a task card is expected) is read as a task card with a note suggesting the header;
    /// an OpsSkill skill gets one error naming the format and the conversion. Null: the header is simply missing.
    /// </summary>
    private static DocumentKind? ReadWithoutHeader(YamlMapping mapping, DocumentKind expected, DiagnosticBag diagnostics)
    {
        var format = OpsSkillFormat.Recognise(mapping);
        if (format == PlainFormat.Unrecognised && (expected != DocumentKind.TaskCard || mapping.Find("apiVersion") is not null || mapping.Find("kind") is not null))
            return null;
        if (format == PlainFormat.OpsSkillSkill)
        {
            var steps = (mapping.Find("steps") ?? mapping.Find("actions"))!.Key;
            diagnostics.Error("opsskill-skill", steps.Position,
                "this is a skill in the plain format of OpsSkill ('actions' or 'steps' of 'command's, no apiVersion/kind header), which Opsmith does not read as is; " +
                "`opsmith import opsskill FILE` converts it to an Opsmith skill (docs/migrating.md)",
                steps.Path, length: steps.Value.Length);
            return DocumentKind.Skill;
        }
        diagnostics.Note("no-header", mapping.Position,
            "no apiVersion/kind header: read as a task card (the plain OpsSkill format); add 'apiVersion: opsmith/v1' and 'kind: TaskCard' at the top to say so");
        return DocumentKind.TaskCard;
    }

    private static string DecodeForSnippets(byte[] bytes) => Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
}
