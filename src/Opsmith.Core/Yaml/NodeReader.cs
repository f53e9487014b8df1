using System.Globalization;
using System.Text.RegularExpressions;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Core.Text;

namespace Opsmith.Core.Yaml;

/// <summary>
/// Typed reads from a <see cref="YamlNode"/> tree. Every read that fails records a diagnostic at the
/// offending node and returns null, so a reader can carry on and report every problem in one pass.
/// </summary>
public sealed partial class NodeReader(DiagnosticBag diagnostics)
{
    public DiagnosticBag Diagnostics { get; } = diagnostics;

    public YamlMapping? Mapping(YamlNode? node, string what)
    {
        if (node is null) return null;
        if (node is YamlMapping mapping) return mapping;
        if (node is YamlScalar { IsNull: true }) return new YamlMapping(node.Position, node.Path, []);
        TypeError(node, what, "a mapping (key: value lines)");
        return null;
    }

    public YamlSequence? Sequence(YamlNode? node, string what)
    {
        if (node is null) return null;
        if (node is YamlSequence sequence) return sequence;
        if (node is YamlScalar { IsNull: true }) return new YamlSequence(node.Position, node.Path, []);
        TypeError(node, what, "a list (lines starting with '- ')");
        return null;
    }

    /// <summary>Reports every key that is not allowed here, with the closest allowed key as a suggestion.</summary>
    public void AllowOnly(YamlMapping mapping, string context, params string[] allowed)
    {
        foreach (var entry in mapping.Entries)
        {
            if (allowed.Contains(entry.Key.Value)) continue;
            var suggestion = Suggestions.Closest(entry.Key.Value, allowed);
            var hint = entry.Key.Value == "<<" ? " (YAML merge keys are not supported; repeat the keys)" : "";
            Diagnostics.Error("unknown-key", entry.Key.Position, $"unknown key '{entry.Key.Value}' in {context}{hint}",
                entry.Key.Path, suggestion, entry.Key.Value.Length);
        }
    }

    public YamlNode? Required(YamlMapping mapping, string key, string context)
    {
        var node = mapping[key];
        if (node is null || node is YamlScalar { IsNull: true })
        {
            var at = mapping.Find(key)?.Key.Position ?? mapping.Position;
            Diagnostics.Error("missing-field", at, $"{context} is missing required field '{key}'", Join(mapping.Path, key));
            return null;
        }
        return node;
    }

    public string? String(YamlMapping mapping, string key, string context, bool required = false)
    {
        var node = required ? Required(mapping, key, context) : mapping[key];
        return String(node, $"'{key}' in {context}");
    }

    public string? String(YamlNode? node, string what)
    {
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlScalar scalar) return scalar.Value;
        TypeError(node, what, "text");
        return null;
    }

    public int? Int(YamlMapping mapping, string key, string context, int min = int.MinValue, int max = int.MaxValue, bool required = false)
    {
        var node = required ? Required(mapping, key, context) : mapping[key];
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlScalar { IsPlain: true } scalar && int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value < min || value > max)
            {
                var range = max == int.MaxValue ? $"at least {min}" : $"between {min} and {max}";
                Diagnostics.Error("out-of-range", node.Position, $"'{key}' in {context} must be {range}, not {value}", node.Path);
                return null;
            }
            return value;
        }
        if (node is YamlScalar { IsPlain: true } digits && IsWholeNumber(digits.Value))
        {
            var range = max == int.MaxValue ? $"at least {min}" : $"between {min} and {max}";
            Diagnostics.Error("out-of-range", node.Position, $"'{key}' in {context} must be {range}, not {Truncate(digits.Value)}", node.Path);
            return null;
        }
        TypeError(node, $"'{key}' in {context}", node is YamlScalar { IsPlain: false } ? "a whole number without quotes" : "a whole number");
        return null;
    }

    public long? Long(YamlMapping mapping, string key, string context)
    {
        var node = mapping[key];
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlScalar { IsPlain: true } scalar && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return value;
        if (node is YamlScalar { IsPlain: true } digits && IsWholeNumber(digits.Value))
        {
            Diagnostics.Error("out-of-range", node.Position,
                $"'{key}' in {context} is {Truncate(digits.Value)}, beyond the largest whole number Opsmith holds ({long.MaxValue})", node.Path);
            return null;
        }
        TypeError(node, $"'{key}' in {context}", "a whole number");
        return null;
    }

    public double? Number(YamlNode? node, string what)
    {
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlScalar { IsPlain: true } scalar &&
            double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            if (double.IsFinite(value)) return value;
            // 1e999 parses as infinity and "NaN" as not-a-number; neither compares meaningfully.
            Diagnostics.Error("out-of-range", node.Position, $"{what} must be a finite number, not '{Truncate(scalar.Value)}'", node.Path);
            return null;
        }
        TypeError(node, what, "a number");
        return null;
    }

    public bool? Bool(YamlMapping mapping, string key, string context)
    {
        var node = mapping[key];
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlScalar { IsPlain: true } scalar)
        {
            if (scalar.Value is "true" or "True" or "TRUE") return true;
            if (scalar.Value is "false" or "False" or "FALSE") return false;
            if (scalar.Value is "yes" or "no" or "on" or "off" or "y" or "n")
            {
                Diagnostics.Error("bad-type", node.Position,
                    $"'{key}' in {context} must be true or false, not '{scalar.Value}' (YAML 1.1 spellings are ambiguous)", node.Path,
                    scalar.Value is "yes" or "on" or "y" ? "true" : "false");
                return null;
            }
        }
        TypeError(node, $"'{key}' in {context}", "true or false");
        return null;
    }

    public T? Enum<T>(YamlMapping mapping, string key, string context, bool required = false) where T : struct, Enum
    {
        var node = required ? Required(mapping, key, context) : mapping[key];
        return Enum<T>(node, $"'{key}' in {context}");
    }

    public T? Enum<T>(YamlNode? node, string what) where T : struct, Enum
    {
        var text = String(node, what);
        if (text is null) return null;
        if (YamlNames.TryParse<T>(text, out var value)) return value;
        var allowed = YamlNames.All<T>();
        Diagnostics.Error("bad-value", node!.Position,
            $"{what} must be one of {string.Join(", ", allowed)}, not '{Truncate(text)}'", node.Path,
            Suggestions.Closest(text, allowed), Math.Max(1, text.Length));
        return null;
    }

    /// <summary>Timers in .NET cannot wait longer than about 24.8 days; no operational step should either.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(24);

    public TimeSpan? Duration(YamlMapping mapping, string key, string context)
    {
        var node = mapping[key];
        var text = String(node, $"'{key}' in {context}");
        if (text is null) return null;
        switch (DurationText.Parse(text, out var value))
        {
            case DurationProblem.None when value > MaxDuration:
            case DurationProblem.TooLong:
                Diagnostics.Error("bad-duration", node!.Position,
                    $"'{key}' in {context} is '{Truncate(text)}', longer than the longest allowed ({DurationText.Format(MaxDuration)})", node.Path,
                    length: Math.Max(1, text.Length));
                return null;
            case DurationProblem.None when value > TimeSpan.Zero || key == "cooldown":
                return value;
            case DurationProblem.None:
                Diagnostics.Error("bad-duration", node!.Position, $"'{key}' in {context} must be longer than zero", node.Path);
                return null;
            default:
                Diagnostics.Error("bad-duration", node!.Position,
                    $"'{key}' in {context} is '{Truncate(text)}', which is not a duration; write it like 500ms, 30s, 5m, 1h30m or 2d", node.Path);
                return null;
        }
    }

    public IReadOnlyList<string> StringList(YamlMapping mapping, string key, string context)
    {
        var node = mapping[key];
        if (node is null) return [];
        var sequence = Sequence(node, $"'{key}' in {context}");
        if (sequence is null) return [];
        var result = new List<string>();
        foreach (var item in sequence.Items)
        {
            var text = String(item, $"an item of '{key}' in {context}");
            if (text is not null) result.Add(text);
        }
        return result;
    }

    public bool Matches(YamlNode? node, string? value, Regex pattern, string what, string rule)
    {
        if (value is null || node is null) return false;
        if (pattern.IsMatch(value)) return true;
        Diagnostics.Error("bad-name", node.Position, $"{what} '{value}' is not valid: {rule}", node.Path, length: value.Length);
        return false;
    }

    private void TypeError(YamlNode node, string what, string expected)
    {
        var got = node is YamlScalar s ? $"'{Truncate(s.Value)}'" : node.KindName;
        Diagnostics.Error("bad-type", node.Position, $"{what} must be {expected}, not {got}", node.Path);
    }

    private static bool IsWholeNumber(string text) =>
        text.Length > 0 && text.TrimStart('-', '+').Length > 0 && text.TrimStart('-', '+').All(char.IsAsciiDigit) && text.Length - text.TrimStart('-', '+').Length <= 1;

    public static string Truncate(string value) => value.Length > 40 ? value[..40] + "…" : value;

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    public static partial Regex KebabName();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    public static partial Regex SnakeName();
}
