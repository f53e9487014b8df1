using System.CommandLine;
using Opsmith.Application;
using Opsmith.Application.Configuration;
using Opsmith.Cli.Output;
using Opsmith.Core.Runs;
using Opsmith.Policy.Decisions;

namespace Opsmith.Cli.Commands;

/// <summary>How the CLI reaches <see cref="Opsmith.Application"/>: options read once, the acting person, and error values mapped to exit codes.</summary>
public static class CliServices
{
    /// <summary>Reads the configuration (file, environment, flags) and opens the services; invalid configuration stops the command.</summary>
    public static OpsmithServices Open(OptionOverrides? flags = null) => new(Options(flags), CurrentActor());

    /// <summary>The configuration (file, environment, flags), validated; every problem stops the command.</summary>
    public static OpsmithOptions Options(OptionOverrides? flags = null)
    {
        var (options, issues) = OptionsLoader.Load(flags);
        if (options is null) throw new ConfigurationException(issues);
        // What this user writes into a team's store, the others must be able to write too.
        if (options.StoreFolder is not null) OperatingSystemUser.ShareNewFilesWithGroup();
        return options;
    }

    /// <summary>
    /// Who runs the command: the operating-system user (the invoking user under sudo), a person. OPSMITH_ACTOR names an
    /// automation identity instead (agent:NAME, for CI jobs and scripts): it is never a person, so it cannot approve
    /// or deny a step, and what it proposes any person may approve (docs/approvals.md).
    /// </summary>
    public static Actor CurrentActor()
    {
        if (Environment.GetEnvironmentVariable("OPSMITH_ACTOR") is { Length: > 0 } automation)
        {
            try { return new Actor(automation, ActorKind.Agent); }
            catch (ArgumentException e)
            {
                throw new UsageException($"OPSMITH_ACTOR: {e.Message}; it names an automation identity (such as ci-deploy or agent:ci-deploy), " +
                                         "never a person: people are who the operating system says they are");
            }
        }
        try { return new Actor(OperatingSystemUser.Name(), ActorKind.Human); }
        catch (ArgumentException e) { throw new UsageException($"your login name cannot be used as an Opsmith actor: {e.Message}"); }
    }

    /// <summary>Secret inputs may come from OPSMITH_SECRET_NAME, which keeps them out of shell history and process lists.</summary>
    public static string? SecretFromEnvironment(string input) => Environment.GetEnvironmentVariable($"OPSMITH_SECRET_{input.ToUpperInvariant()}");

    /// <summary>
    /// How much may run without a person: --autonomy, else the configuration (OPSMITH_AUTONOMY, the file), else
    /// automate-safe. Whatever it is, a data-mutation step waits for another person's approval.
    /// </summary>
    public static Option<string?> AutonomyOption() => new("--autonomy")
    {
        Description = "observe | recommend | automate-safe (default) | automate-destructive. Data mutations always need another person's approval.",
    };

    public static OptionOverrides Overrides(string? autonomy) =>
        autonomy is null ? OptionOverrides.None
            : new OptionOverrides(OptionsLoader.ParseAutonomy(autonomy)
                                  ?? throw new UsageException($"--autonomy must be observe, recommend, automate-safe or automate-destructive, not '{autonomy}'"));

    /// <summary>
    /// Prints an error value and returns its exit code; with --output json also as the one error document on
    /// stdout (docs/cli.md), so a program reading stdout always gets JSON. The exit code is the same in both.
    /// </summary>
    public static int Fail(CliContext context, OpsmithError error, OutputFormat format)
    {
        if (format == OutputFormat.Json)
            ErrorDocument.Write(context.Stdout, error.Kind switch
            {
                ErrorKind.NotFound => "not-found",
                ErrorKind.BadRequest => "bad-request",
                _ => error.Kind.ToString().ToLowerInvariant(),
            }, error.Message, ExitCode(error), error.Diagnostics);
        return Fail(context, error);
    }

    /// <summary>Prints an error value the way a person at 3 a.m. needs it and returns its exit code.</summary>
    public static int Fail(CliContext context, OpsmithError error)
    {
        if (error.Document is { } document)
        {
            context.Stderr.WriteLine($"Error: {error.Message}:");
            var terminal = new Terminal(context.Stderr, false);
            foreach (var diagnostic in error.Diagnostics) DiagnosticPrinter.Print(terminal, document, diagnostic);
        }
        else
        {
            context.Stderr.WriteLine($"Error: {error.Message.Replace("\n", "\n       ", StringComparison.Ordinal)}");
        }
        return ExitCode(error);
    }

    private static int ExitCode(OpsmithError error) => error.Kind switch
    {
        ErrorKind.NotFound or ErrorKind.BadRequest => ExitCodes.Usage,
        _ => ExitCodes.Invalid,
    };

    public static int ExitCode(RunVerdict verdict) => verdict switch
    {
        RunVerdict.Succeeded or RunVerdict.Planned => ExitCodes.Ok,
        RunVerdict.RollbackFailed => ExitCodes.RollbackFailed,
        _ => ExitCodes.SkillFailed,
    };
}

/// <summary>The configuration has problems; every one is listed, and the command does not start.</summary>
public sealed class ConfigurationException(IReadOnlyList<ConfigurationIssue> issues)
    : Exception($"the configuration is not valid:\n       {string.Join("\n       ", issues)}")
{
    public IReadOnlyList<ConfigurationIssue> Issues { get; } = issues;
}
