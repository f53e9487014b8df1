using System.Globalization;
using System.Text;

namespace Opsmith.Core.Yaml;

/// <summary>
/// A small block-style YAML emitter for documents Opsmith writes (generated skills). It quotes only what
/// needs quoting, so the output reads like a hand-written file and round-trips through the reader.
/// </summary>
public sealed class YamlWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;
    private bool _listMarkerPending;

    public override string ToString() => _text.ToString();

    public YamlWriter Comment(string text)
    {
        Line($"# {text}");
        return this;
    }

    public YamlWriter Field(string key, string? value)
    {
        if (value is null) return this;
        if (value.Contains('\n'))
        {
            Line($"{key}: |");
            _indent++;
            foreach (var line in value.TrimEnd('\n').Split('\n')) Line(line);
            _indent--;
        }
        else Line($"{key}: {Scalar(value)}");
        return this;
    }

    public YamlWriter Field(string key, long? value) => value is null ? this : Raw(key, value.Value.ToString(CultureInfo.InvariantCulture));

    public YamlWriter Field(string key, bool? value) => value is null ? this : Raw(key, value.Value ? "true" : "false");

    public YamlWriter Number(string key, double value) => Raw(key, value.ToString("R", CultureInfo.InvariantCulture));

    public YamlWriter Raw(string key, string rawValue)
    {
        Line($"{key}: {rawValue}");
        return this;
    }

    public YamlWriter FlowList(string key, IEnumerable<string> values)
    {
        Line($"{key}: [{string.Join(", ", values.Select(Scalar))}]");
        return this;
    }

    public YamlWriter Section(string key, Action<YamlWriter> body)
    {
        Line($"{key}:");
        _indent++;
        body(this);
        _indent--;
        return this;
    }

    /// <summary>A list of mappings: each item's first line gets the "- " marker.</summary>
    public YamlWriter List<T>(string key, IEnumerable<T> items, Action<YamlWriter, T> item)
    {
        Line($"{key}:");
        _indent++;
        foreach (var value in items)
        {
            _indent++;
            _listMarkerPending = true;
            item(this, value);
            _indent--;
        }
        _indent--;
        return this;
    }

    private void Line(string line)
    {
        if (_listMarkerPending)
        {
            _text.Append(new string(' ', (_indent - 1) * 2)).Append("- ").Append(line).Append('\n');
            _listMarkerPending = false;
            return;
        }
        _text.Append(new string(' ', _indent * 2)).Append(line).Append('\n');
    }

    /// <summary>Plain when the reader would read the same text back as a string; double-quoted otherwise.</summary>
    public static string Scalar(string value)
    {
        var plainSafe = value.Length > 0
            && value.Trim() == value
            && !"-?:,[]{}#&*!|>'\"%@`".Contains(value[0])
            && !value.Contains(": ") && !value.Contains(" #") && !value.EndsWith(':')
            && value.All(c => !char.IsControl(c))
            && !IsOtherType(value);
        if (plainSafe) return value;
        var escaped = new StringBuilder("\"");
        foreach (var c in value)
        {
            escaped.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return escaped.Append('"').ToString();
    }

    private static bool IsOtherType(string value) =>
        value is "true" or "false" or "null" or "~" or "yes" or "no" or "on" or "off" or "True" or "False" or "Null"
        || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
