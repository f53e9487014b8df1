using System.CommandLine;
using Opsmith.Cli.Output;
using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;

namespace Opsmith.Cli.Commands;

/// <summary><c>opsmith policy classify</c>: what a command line runs and how risky it is (docs/policy.md).</summary>
public sealed class PolicyVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith policy classify -- 'sudo systemctl restart nginx'",
        "opsmith policy classify --output json -- \"psql -c 'DROP TABLE users'\"",
        "opsmith policy classify --file commands.txt",
    ];

    public Command Build()
    {
        var commands = new Argument<string[]>("COMMAND")
        {
            Description = "Command lines to classify (put them after --, each as one argument).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var file = new Option<string?>("--file") { Description = "Classify every line of this file (blank lines and lines starting with # are skipped)." };
        var output = CliContext.OutputOption();
        var classify = new Command("classify", "Read shell commands into the programs they run and classify each: read, service-mutation, destructive or data-mutation.")
        {
            commands, file, output,
        };
        classify.SetAction((p, ct) => ClassifyAsync(p.GetValue(commands) ?? [], p.GetValue(file), p.GetValue(output), ct));
        var policy = new Command("policy", "Guardrails: classify commands by risk.");
        policy.Subcommands.Add(classify);
        return policy;
    }

    private async Task<int> ClassifyAsync(string[] commands, string? file, OutputFormat format, CancellationToken ct)
    {
        var lines = commands.ToList();
        if (file is not null)
        {
            if (!File.Exists(file)) throw new UsageException($"'{file}' does not exist");
            lines.AddRange((await File.ReadAllLinesAsync(file, ct)).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')));
        }
        if (lines.Count == 0) throw new UsageException("give a command after --, or --file FILE");

        // As a run would: with the environment's read-only programs and data inventory (opsmith.yaml).
        var classifier = new CommandClassifier(CliServices.Options().ClassifierFor(new Dictionary<string, string>()));
        var results = lines.Select(classifier.Classify).ToList();
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new
            {
                commands = results.Select(r => new
                {
                    command = r.Command,
                    tier = YamlNames.Of(r.Tier),
                    rule = r.DecidingRule,
                    data_protected = r.DataProtected,
                    programs = r.Programs.Select(p => new { program = p.Program, arguments = p.Arguments, tier = YamlNames.Of(p.Tier), rule = p.Rule, reason = p.Reason, via = p.Via }),
                    problems = r.Problems,
                }),
            });
            return ExitCodes.Ok;
        }
        var t = context.Out;
        foreach (var r in results)
        {
            var tier = YamlNames.Of(r.Tier);
            var painted = r.Tier switch
            {
                RiskTier.Read => t.Green(tier),
                RiskTier.ServiceMutation => t.Yellow(tier),
                _ => t.Red(tier),
            };
            t.Writer.WriteLine($"{painted}  {r.Command}");
            t.Writer.WriteLine($"  rule: {r.DecidingRule}{(r.DataProtected ? "  (data-protected: never runs without a person approving it)" : "")}");
            foreach (var p in r.Programs)
                t.Writer.WriteLine($"  {YamlNames.Of(p.Tier),-16} {p.Program} {p.Arguments}{(p.Via.Count > 0 ? $"  (via {string.Join(" > ", p.Via)})" : "")}: {p.Reason}");
            foreach (var problem in r.Problems) t.Writer.WriteLine($"  problem: {problem}");
        }
        return ExitCodes.Ok;
    }
}
