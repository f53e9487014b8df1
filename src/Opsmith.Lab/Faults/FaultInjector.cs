using Opsmith.Core.Text;
using Opsmith.Lab.Hosts;

namespace Opsmith.Lab.Faults;

/// <summary>A fault resolved against a lab: which fault, on which host, with which parameters.</summary>
public sealed record FaultTarget(Fault Fault, FaultContext Context)
{
    public IReadOnlyList<string> Checks => Fault.Checks(Context);
    public RecoverySkill? RecoverySkill => Fault.Skill(Context);
    public string Describe() => Context.Params.Count == 0
        ? $"{Fault.Name} on {Context.Host.Name}"
        : $"{Fault.Name} on {Context.Host.Name} ({string.Join(", ", Context.Params.Select(p => $"{p.Key}={p.Value}"))})";
}

/// <summary>
/// Injects and recovers faults on a running lab. Inject and recover are idempotent; an active fault is
/// marked inside the host (/run/opsmith-lab/faults/NAME.active) so <c>lab status</c> can show it.
/// </summary>
public sealed class FaultInjector(LabLayout lab, IReadOnlyList<string> opsmithCommand)
{
    private readonly LabShell _shell = new(lab);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    /// <summary>Resolves a fault name, host and parameters; a problem is returned as a message, not thrown.</summary>
    public (FaultTarget? Target, string? Problem) Resolve(string faultName, string hostName, IReadOnlyDictionary<string, string> parameters)
    {
        var fault = FaultCatalog.Find(faultName);
        if (fault is null)
        {
            var closest = Suggestions.Closest(faultName, FaultCatalog.All.Select(f => f.Name).ToArray());
            return (null, $"unknown fault '{faultName}'{(closest is null ? "" : $" (did you mean '{closest}'?)")}; 'opsmith lab faults' lists them");
        }
        var host = lab.Find(hostName);
        if (host is null || host.Is(HostRoles.Bastion))
            return (null, $"'{hostName}' is not a node of lab '{lab.Name}' (nodes: {string.Join(", ", lab.Nodes.Select(n => n.Name))})");
        if (fault.Requires != HostRoles.None && !host.Is(fault.Requires))
            return (null, $"fault {fault.Name} needs a host running {fault.Requires}; {host.Name} does not " +
                $"(try {string.Join(", ", lab.Nodes.Where(n => n.Is(fault.Requires)).Select(n => n.Name))})");
        foreach (var name in parameters.Keys)
            if (fault.Parameters.All(p => p.Name != name))
                return (null, fault.Parameters.Count == 0
                    ? $"fault {fault.Name} takes no parameters (got '{name}')"
                    : $"fault {fault.Name} has no parameter '{name}' (it takes {string.Join(", ", fault.Parameters.Select(p => p.Name))})");
        var values = new Dictionary<string, string>();
        foreach (var parameter in fault.Parameters)
        {
            var value = parameters.TryGetValue(parameter.Name, out var given) ? given : parameter.DefaultFor?.Invoke(lab, host) ?? parameter.Default;
            if (parameter.Validate(value, lab, host) is { } problem) return (null, $"fault {fault.Name}, parameter {parameter.Name}: {problem}");
            values[parameter.Name] = value;
        }
        return (new FaultTarget(fault, new FaultContext(lab, host, values, opsmithCommand)), null);
    }

    public async Task<string> InjectAsync(FaultTarget target, CancellationToken cancellationToken)
    {
        var script = $"set -u\nmkdir -p /run/opsmith-lab/faults\n{target.Fault.Inject(target.Context)}";
        var output = await _shell.InHostOrThrowAsync(target.Context.Host, $"injecting {target.Fault.Name}", script, Limit, cancellationToken);
        await _shell.InHostAsync(target.Context.Host, $"echo {Opsmith.Core.Rendering.ShellQuote.Quote(target.Describe())} >/run/opsmith-lab/faults/{target.Fault.Name}.active", Limit, cancellationToken);
        return output.Trim();
    }

    public async Task<string> RecoverAsync(FaultTarget target, CancellationToken cancellationToken)
    {
        var script = $"set -u\n{target.Fault.Recover(target.Context)}";
        var output = await _shell.InHostOrThrowAsync(target.Context.Host, $"recovering {target.Fault.Name}", script, Limit, cancellationToken);
        await _shell.InHostAsync(target.Context.Host, $"rm -f /run/opsmith-lab/faults/{target.Fault.Name}.active", Limit, cancellationToken);
        return output.Trim();
    }
}
