using Opsmith.Core.Diagnostics;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Skills;

public sealed partial class SkillReader
{
    /// <summary>
    /// Reads one <c>http</c> or <c>tcp</c> check written outside a skill (an agent's invariant) with the same rules a
    /// skill's check follows; there are no inputs or earlier steps, so a template in it is reported.
    /// </summary>
    public static Probe? ReadStandaloneCheck(YamlMapping? node, string kind, string context, string sourceText, DiagnosticBag diagnostics)
    {
        var reader = new SkillReader(diagnostics, sourceText);
        return kind switch
        {
            "http" => reader.ReadHttpProbe(node, context),
            "tcp" => reader.ReadTcpProbe(node, context),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a standalone check is http or tcp"),
        };
    }
}
