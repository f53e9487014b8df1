using System.Globalization;
using Opsmith.Core.Inventories;
using Opsmith.Core.Skills;
using Opsmith.Core.Text;

namespace Opsmith.Core.Rendering;

/// <summary>The checked input values of one run, and which of them are secret.</summary>
public sealed record BoundInputs(IReadOnlyDictionary<string, string> Values, IReadOnlySet<string> SecretNames);

/// <summary>
/// Checks the values given for a skill's inputs before anything runs: unknown names, missing required
/// inputs, types (int range, bool, duration, enum), and hosts that must exist in the inventory.
/// Defaults fill what was not given. Every problem is returned, not just the first.
/// </summary>
public static class InputBinder
{
    public static (BoundInputs? Inputs, IReadOnlyList<string> Errors) Bind(
        Skill skill, IReadOnlyDictionary<string, string> given, Inventory? inventory)
    {
        var errors = new List<string>();
        var values = new Dictionary<string, string>();
        foreach (var name in given.Keys.Where(k => skill.Spec.FindInput(k) is null))
        {
            var suggestion = Suggestions.Closest(name, skill.Spec.Inputs.Select(i => i.Name));
            errors.Add($"skill '{skill.Name}' has no input '{name}'" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?"));
        }
        foreach (var input in skill.Spec.Inputs)
        {
            if (!given.TryGetValue(input.Name, out var value)) value = input.Default;
            if (value is null)
            {
                if (input.Required) errors.Add($"input '{input.Name}' is required: pass --input {input.Name}=VALUE");
                continue;
            }
            var problem = input.Secret ? SecretProblem(input, value) ?? Check(input, value, inventory) : Check(input, value, inventory);
            if (problem is not null) errors.Add(problem);
            else values[input.Name] = value;
        }
        if (errors.Count > 0) return (null, errors);
        return (new BoundInputs(values, skill.Spec.Inputs.Where(i => i.Secret).Select(i => i.Name).ToHashSet()), []);
    }

    /// <summary>
    /// A secret the masker cannot hide must not reach a host: an empty value for a required secret is a
    /// mistake (an unset variable), and a very short one would be masked everywhere it appears in ordinary text.
    /// </summary>
    private static string? SecretProblem(InputDefinition input, string value)
    {
        if (value.Length == 0)
            return input.Required ? $"secret input '{input.Name}' is required but its value is empty: pass --input {input.Name}=VALUE with the secret" : null;
        return SecretMasker.Problem(value) is { } problem ? $"secret input '{input.Name}' {problem}" : null;
    }

    private static string? Check(InputDefinition input, string value, Inventory? inventory)
    {
        var what = input.Secret ? $"input '{input.Name}'" : $"input '{input.Name}' = '{value}'";
        switch (input.Type)
        {
            case InputType.Int:
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                    return value.Length > 0 && value.TrimStart('-').All(char.IsAsciiDigit) && value.TrimStart('-').Length > 0
                        ? $"{what} is too large for a whole number"
                        : $"{what} is not a whole number";
                if (number < input.Min || number > input.Max)
                    return $"{what} is outside {input.Min?.ToString(CultureInfo.InvariantCulture) ?? "…"}..{input.Max?.ToString(CultureInfo.InvariantCulture) ?? "…"}";
                return null;
            case InputType.Bool:
                return value is "true" or "false" ? null : $"{what} must be true or false";
            case InputType.Duration:
                return DurationText.Parse(value, out _) switch
                {
                    DurationProblem.None => null,
                    DurationProblem.TooLong => $"{what} is longer than any duration Opsmith accepts ({DurationText.Format(DurationText.Longest)})",
                    _ => $"{what} is not a duration such as 30s or 5m",
                };
            case InputType.Enum:
                if (input.Values.Contains(value)) return null;
                var suggestion = Suggestions.Closest(value, input.Values);
                return $"{what} must be one of {string.Join(", ", input.Values)}" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?");
            case InputType.Host:
                if (inventory is null || inventory.Resolve(value) is not null) return null;
                var host = Suggestions.Closest(value, inventory.Hosts.Keys.Concat(inventory.Groups.Keys));
                return $"{what} names no host or group in {inventory.SourceFile}" + (host is null ? "" : $"; did you mean '{host}'?");
            default:
                return value.Contains('\0') ? $"{what} contains a NUL character" : null;
        }
    }
}
