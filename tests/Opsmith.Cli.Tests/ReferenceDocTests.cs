using System.CommandLine;
using System.Text;
using Opsmith.Cli.Tests.Support;

namespace Opsmith.Cli.Tests;

/// <summary>
/// docs/cli-reference.md is generated from the command tree, so it can never fall behind the CLI: this test
/// regenerates it and fails when the file differs. Set OPSMITH_UPDATE_DOCS=1 to write the new text.
/// </summary>
public sealed class ReferenceDocTests
{
    [Fact]
    public void The_verb_reference_matches_the_command_tree()
    {
        var file = Path.Combine(CliProcess.RepositoryRoot, "docs", "cli-reference.md");
        var expected = Generate();
        if (Environment.GetEnvironmentVariable("OPSMITH_UPDATE_DOCS") == "1") File.WriteAllText(file, expected);

        Assert.True(File.Exists(file) && File.ReadAllText(file) == expected,
            "docs/cli-reference.md is out of date; run: OPSMITH_UPDATE_DOCS=1 dotnet test tests/Opsmith.Cli.Tests --filter ReferenceDocTests");
    }

    private static string Generate()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null);
        var root = OpsmithCli.BuildRoot(context);
        var text = new StringBuilder();
        text.Append("# Command reference\n\nGenerated from the command tree by `tests/Opsmith.Cli.Tests/ReferenceDocTests.cs`; do not edit by hand.\n");
        text.Append("Conventions (output formats, exit codes, colour) are in [cli.md](cli.md); settings in [configuration.md](configuration.md).\n");
        foreach (var command in root.Subcommands.OrderBy(c => c.Name, StringComparer.Ordinal)) Describe(text, command, "opsmith");
        return text.ToString();
    }

    private static void Describe(StringBuilder text, Command command, string parent)
    {
        var path = $"{parent} {command.Name}";
        var arguments = string.Concat(command.Arguments.Select(a => $" {a.Name}"));
        text.Append($"\n## `{path}{arguments}`\n\n{command.Description}\n");
        var rows = command.Arguments.Select(a => ($"`{a.Name}`", a.Description ?? ""))
            .Concat(command.Options.Where(o => !o.Hidden && o.Name is not ("--help" or "-h" or "-?"))
                .Select(o => ($"`{string.Join("`, `", new[] { o.Name }.Concat(o.Aliases.Order(StringComparer.Ordinal)))}`{(o.Required ? " (required)" : "")}",
                    o.Description ?? "")))
            .ToList();
        if (rows.Count > 0)
        {
            text.Append("\n| argument or option | meaning |\n|---|---|\n");
            foreach (var (name, description) in rows) text.Append($"| {name} | {description.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }
        foreach (var sub in command.Subcommands.OrderBy(c => c.Name, StringComparer.Ordinal)) Describe(text, sub, path);
    }
}
