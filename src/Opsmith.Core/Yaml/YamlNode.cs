using Opsmith.Core.Diagnostics;

namespace Opsmith.Core.Yaml;

/// <summary>
/// A YAML node with the position it came from. Opsmith reads YAML into this small tree (instead of
/// YamlDotNet's representation model) so that duplicate keys, alias bombs and nesting depth are caught
/// with a position, and every later error can point at the exact line and column.
/// </summary>
public abstract record YamlNode(SourcePosition Position, string Path)
{
    public abstract string KindName { get; }
}

public sealed record YamlScalar(SourcePosition Position, string Path, string Value, bool IsPlain, bool IsBlock, int Length)
    : YamlNode(Position, Path)
{
    public override string KindName => "a scalar";

    /// <summary>A plain <c>~</c>, <c>null</c> or empty scalar: YAML's null.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
}

public sealed record YamlSequence(SourcePosition Position, string Path, IReadOnlyList<YamlNode> Items)
    : YamlNode(Position, Path)
{
    public override string KindName => "a list";
}

public sealed record YamlMapping(SourcePosition Position, string Path, IReadOnlyList<YamlEntry> Entries)
    : YamlNode(Position, Path)
{
    public override string KindName => "a mapping";

    public YamlEntry? Find(string key) => Entries.FirstOrDefault(e => e.Key.Value == key);
    public YamlNode? this[string key] => Find(key)?.Value;
}

public sealed record YamlEntry(YamlScalar Key, YamlNode Value);
