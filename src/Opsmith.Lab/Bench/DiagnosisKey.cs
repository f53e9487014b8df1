namespace Opsmith.Lab.Bench;

/// <summary>
/// The answer key for diagnosis tasks: which lab fault type a hypothesis id of the catalog's findings stands for.
/// It lives with the lab (which may name its faults), never in agent code. A hypothesis not listed is its own answer.
/// </summary>
public static class DiagnosisKey
{
    private static readonly IReadOnlyDictionary<string, string> Faults = new Dictionary<string, string>
    {
        ["service-down"] = "service-crash",
    };

    public static string? FaultOf(string hypothesis) => Faults.GetValueOrDefault(hypothesis, hypothesis);
}
