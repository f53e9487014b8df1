namespace Opsmith.Core.Skills;

/// <summary>Where a skill sits in the operations loop: monitor → detect → diagnose → recover → verify.</summary>
public enum Stage { Detection, Diagnosis, Recovery, Verification }

/// <summary>How much harm a step can do, in increasing order. The order is meaningful: compare with &lt; and &gt;.</summary>
public enum RiskTier { Read, ServiceMutation, Destructive, DataMutation }

public enum InputType { String, Int, Bool, Duration, Host, Enum }

public enum FailurePolicy { Abort, Rollback, Continue }

public enum TcpExpectation { Open, Closed }

public enum Comparison { Equals, Below, Above }

/// <summary>
/// How a skill's commands reach its hosts (<c>spec.via</c>): over the host's inventory connection (ssh or local), or
/// through the out-of-band console the inventory declares for the host (docs/inventory.md), for when ssh itself is down.
/// </summary>
public enum Transport { Connection, Console }

/// <summary>The spelling of every enum value in YAML (lower-kebab), in one place.</summary>
public static class YamlNames
{
    public static string Of<T>(T value) where T : struct, Enum => Kebab(value.ToString());

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(v => Of(v)).ToList();

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (Of(candidate) == text)
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }

    private static string Kebab(string pascal)
    {
        var chars = new List<char>(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0) chars.Add('-');
            chars.Add(char.ToLowerInvariant(pascal[i]));
        }
        return new string(chars.ToArray());
    }
}
