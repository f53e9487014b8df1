using System.Globalization;
using Opsmith.Core.Text;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Skills;

public sealed partial class SkillReader
{
    private IReadOnlyList<InputDefinition> ReadInputs(YamlMapping? node)
    {
        if (node is null) return [];
        var inputs = new List<InputDefinition>();
        foreach (var entry in node.Entries)
        {
            var name = entry.Key.Value;
            var context = $"input '{name}'";
            _read.Matches(entry.Key, name, NodeReader.SnakeName(), "input name", "use lower_snake_case such as api_token");
            var definition = _read.Mapping(entry.Value, context);
            if (definition is null) continue;
            _read.AllowOnly(definition, context, "type", "required", "default", "description", "min", "max", "values", "secret");
            var type = _read.Enum<InputType>(definition, "type", context, required: true);
            var required = _read.Bool(definition, "required", context) ?? false;
            var secret = _read.Bool(definition, "secret", context) ?? false;
            var min = _read.Long(definition, "min", context);
            var max = _read.Long(definition, "max", context);
            var values = _read.StringList(definition, "values", context);
            var description = _read.String(definition, "description", context);
            var defaultNode = definition["default"];
            var defaultValue = defaultNode is YamlScalar { IsNull: false } s ? s.Value : null;
            if (defaultNode is YamlMapping or YamlSequence)
                _diagnostics.Error("bad-type", defaultNode.Position, $"'default' in {context} must be a single value, not {defaultNode.KindName}", defaultNode.Path);

            if (type is not null)
            {
                if ((min is not null || max is not null) && type != InputType.Int)
                    _diagnostics.Error("bad-field", (definition.Find("min") ?? definition.Find("max"))!.Key.Position,
                        $"'min' and 'max' apply only to int inputs; {context} is {YamlNames.Of(type.Value)}", definition.Path);
                if (min > max)
                    _diagnostics.Error("bad-range", definition.Find("min")!.Key.Position, $"{context} has min {min} above max {max}", definition.Path);
                if (type == InputType.Enum && values.Count == 0)
                    _diagnostics.Error("missing-field", definition.Position, $"{context} is an enum and needs 'values: [a, b, ...]'", definition.Path);
                if (type != InputType.Enum && definition["values"] is not null)
                    _diagnostics.Error("bad-field", definition.Find("values")!.Key.Position,
                        $"'values' applies only to enum inputs; {context} is {YamlNames.Of(type.Value)}", definition.Path);
                if (defaultValue is not null && defaultNode is not null)
                    CheckDefault(defaultNode, defaultValue, type.Value, min, max, values, context);
            }
            if (secret && defaultValue is not null)
                _diagnostics.Error("secret-default", defaultNode!.Position,
                    $"{context} is secret and must not have a default: a secret written into a skill file is no longer secret",
                    defaultNode.Path);
            if (required && defaultValue is not null)
                _diagnostics.Warning("required-with-default", entry.Key.Position,
                    $"{context} is required but has a default, which is never used", definition.Path);
            inputs.Add(new InputDefinition(name, type ?? InputType.String, required, description, defaultValue, min, max,
                values, secret, entry.Key.Position));
        }

        // Secrets never appear in descriptions: a description is printed in help, plans and reports.
        foreach (var entry in node.Entries)
        {
            if (entry.Value is not YamlMapping definition || definition["description"] is not YamlScalar description) continue;
            foreach (var secret in inputs.Where(i => i.Secret))
            {
                if (description.Value.Contains($"inputs.{secret.Name}", StringComparison.Ordinal))
                    _diagnostics.Error("secret-in-description", description.Position,
                        $"the description of input '{entry.Key.Value}' mentions secret input '{secret.Name}'; descriptions are printed, secrets never are",
                        description.Path);
            }
        }
        return inputs;
    }

    private void CheckDefault(YamlNode node, string value, InputType type, long? min, long? max, IReadOnlyList<string> values, string context)
    {
        switch (type)
        {
            case InputType.Int:
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                    _diagnostics.Error("bad-default", node.Position, $"default of {context} must be a whole number{(value.Length > 0 && value.All(char.IsAsciiDigit) ? " that fits in 64 bits" : "")}, not '{NodeReader.Truncate(value)}'", node.Path);
                else if (number < min || number > max)
                    _diagnostics.Error("bad-default", node.Position,
                        $"default of {context} is {number}, outside {min?.ToString(CultureInfo.InvariantCulture) ?? "…"}..{max?.ToString(CultureInfo.InvariantCulture) ?? "…"}", node.Path);
                break;
            case InputType.Bool:
                if (value is not ("true" or "false"))
                    _diagnostics.Error("bad-default", node.Position, $"default of {context} must be true or false, not '{value}'", node.Path);
                break;
            case InputType.Duration:
                var problem = DurationText.Parse(value, out _);
                if (problem == DurationProblem.TooLong)
                    _diagnostics.Error("bad-default", node.Position,
                        $"default of {context} is '{NodeReader.Truncate(value)}', longer than any duration Opsmith accepts ({DurationText.Format(DurationText.Longest)})", node.Path);
                else if (problem != DurationProblem.None)
                    _diagnostics.Error("bad-default", node.Position, $"default of {context} is '{NodeReader.Truncate(value)}', which is not a duration such as 30s or 5m", node.Path);
                break;
            case InputType.Enum:
                if (values.Count > 0 && !values.Contains(value))
                    _diagnostics.Error("bad-default", node.Position,
                        $"default of {context} is '{value}', which is not one of {string.Join(", ", values)}", node.Path,
                        Suggestions.Closest(value, values));
                break;
        }
    }

    private IReadOnlyList<OutputDefinition> ReadOutputs(YamlMapping? node)
    {
        if (node is null) return [];
        var outputs = new List<OutputDefinition>();
        foreach (var entry in node.Entries)
        {
            var context = $"output '{entry.Key.Value}'";
            _read.Matches(entry.Key, entry.Key.Value, NodeReader.SnakeName(), "output name", "use lower_snake_case");
            var definition = _read.Mapping(entry.Value, context);
            if (definition is null) continue;
            _read.AllowOnly(definition, context, "from", "description");
            var from = _read.String(definition, "from", context, required: true);
            if (from is null) continue;
            CheckStepReference(definition["from"]!, from.Split('.'), inRollback: false, isOutput: true);
            outputs.Add(new OutputDefinition(entry.Key.Value, from, entry.Key.Position));
        }
        return outputs;
    }
}
