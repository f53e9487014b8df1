namespace Opsmith.Core.Skills;

/// <summary>Where an http, tcp or prometheus check is made from.</summary>
public enum CheckVantage
{
    /// <summary>From the machine Opsmith runs on.</summary>
    Controller,
    /// <summary>From the target host, as a read-tier command through the executor (so hosts behind a jump host can be checked).</summary>
    Target,
}

/// <summary>What a check looks at. Exactly one kind per check.</summary>
public abstract record Probe
{
    /// <summary>
    /// <c>from:</c> of an http, tcp or prometheus check; null when not written: from the target when it is reached
    /// over SSH, from this machine when it is the local host. Always null for <c>run</c> checks.
    /// </summary>
    public CheckVantage? From { get; init; }

    public abstract string Kind { get; }

    /// <summary>The fields a later step may read from this probe's result through a template.</summary>
    public abstract IReadOnlyList<string> ResultFields { get; }
}

public sealed record RunProbe(string Command, RunExpectation Expect) : Probe
{
    public static readonly IReadOnlyList<string> Fields = ["stdout", "stderr", "exit_code"];
    public override string Kind => "run";
    public override IReadOnlyList<string> ResultFields => Fields;
}

public sealed record RunExpectation(
    int ExitCode,
    string? StdoutContains,
    string? StdoutNotContains,
    string? StdoutMatches,
    JsonExpectation? Json)
{
    public static readonly RunExpectation Success = new(0, null, null, null, null);
}

/// <summary>Compares one value of stdout parsed as JSON. <see cref="Path"/> is a dotted path (<c>items.0.status</c>).</summary>
public sealed record JsonExpectation(string Path, Comparison Comparison, string Value);

public sealed record HttpProbe(string Url, string Method, int ExpectStatus, string? BodyContains) : Probe
{
    public override string Kind => "http";
    public override IReadOnlyList<string> ResultFields => ["status", "body"];
}

/// <summary><see cref="Port"/> stays text because it may be a template such as <c>{{ inputs.port }}</c>.</summary>
public sealed record TcpProbe(string Host, string Port, TcpExpectation Expect) : Probe
{
    public override string Kind => "tcp";
    public override IReadOnlyList<string> ResultFields => ["open"];
}

public sealed record PrometheusProbe(string Url, string Query, Comparison Comparison, double Value) : Probe
{
    public override string Kind => "prometheus";
    public override IReadOnlyList<string> ResultFields => ["value"];
}
