using Opsmith.Core.Inventories;

namespace Opsmith.Core.Rendering;

/// <summary>
/// The values a template may name while a skill runs on one host: inputs, the target's fields and vars,
/// and the result fields of steps that already ran (<c>actions.collect.stdout</c>).
/// </summary>
public sealed class RenderContext
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public RenderContext(IReadOnlyDictionary<string, string> inputs, InventoryHost? host, IReadOnlyDictionary<string, string>? vars)
    {
        foreach (var (name, value) in inputs) _values[$"inputs.{name}"] = value;
        if (host is not null)
        {
            _values["target.name"] = host.Name;
            _values["target.address"] = host.Address;
            _values["target.port"] = host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _values["target.user"] = host.User;
            foreach (var (name, value) in vars ?? host.Vars) _values[$"target.vars.{name}"] = value;
        }
    }

    public void SetStepResult(string section, string step, IReadOnlyDictionary<string, string> fields)
    {
        foreach (var (field, value) in fields) _values[$"{section}.{step}.{field}"] = value;
    }

    /// <summary>A copy with more values, such as a finding's <c>facts.NAME</c> for rendering its summary.</summary>
    public RenderContext With(IReadOnlyDictionary<string, string> values)
    {
        var copy = new RenderContext(new Dictionary<string, string>(), null, null);
        foreach (var (key, value) in _values) copy._values[key] = value;
        foreach (var (key, value) in values) copy._values[key] = value;
        return copy;
    }

    public bool TryGet(string reference, out string value) => _values.TryGetValue(reference, out value!);

    /// <summary>All values, for recording what a rollback needs so it can be re-run later.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;
}
