using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Opsmith.Cli.Commands;
using Opsmith.Cli.Output;

namespace Opsmith.Cli;

/// <summary>
/// The command tree and its conventions: every verb has --help with examples; parse errors exit 2 with a
/// one-line reason; Ctrl-C exits 130; an unexpected exception is reported as a bug without a stack trace.
/// </summary>
public static class OpsmithCli
{
    /// <summary>Runs one command with its own signal handling (removed when it ends).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        using var signals = InterruptSignals.Install(stderr);
        return await RunAsync(args, stdout, stderr, signals.Token, signals.Hurried);
    }

    /// <summary>
    /// Runs one command; <paramref name="interrupted"/> is cancelled by SIGINT, SIGTERM or SIGHUP, <paramref name="hurried"/>
    /// by a second Ctrl-C or SIGTERM (see <see cref="InterruptSignals"/>), and any cancellation that ends the command exits 130.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken interrupted,
        CancellationToken hurried = default)
    {
        var context = new CliContext(stdout, stderr) { Hurried = hurried };
        try
        {
            var root = BuildRoot(context);
            var parsed = root.Parse(args);
            context.Format = RequestedFormat(parsed);
            if (parsed.Errors.Count > 0 && parsed.Action is not HelpWithExamples)
            {
                var verb = parsed.CommandResult.Command;
                var messages = UnknownVerb(parsed, verb) is { } unknown ? [unknown] : parsed.Errors.Select(e => e.Message).ToList();
                foreach (var message in messages) stderr.WriteLine($"Error: {message}");
                stderr.WriteLine($"Run '{CommandPath(parsed.CommandResult)} --help' for usage.");
                if (context.Format == OutputFormat.Json) ErrorDocument.Write(stdout, ErrorDocument.KindOf(ExitCodes.Usage), string.Join("; ", messages), ExitCodes.Usage);
                return ExitCodes.Usage;
            }
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                // Opsmith handles the signals itself: System.CommandLine's handler returns 143 two seconds after a
                // SIGTERM, whether or not the rollback finished, and cancels the verb before Opsmith knows it was interrupted.
                ProcessTerminationTimeout = null,
            }, interrupted);
        }
        catch (Exception e) when (IsCancellation(e))
        {
            stderr.WriteLine("Interrupted.");
            return JsonError(context, "interrupted", ExitCodes.Interrupted);
        }
        catch (UsageException e)
        {
            return context.Fail(e.Message, ExitCodes.Usage);
        }
        catch (System.Data.Common.DbException e)
        {
            // The audit database (SQLite file or PostgreSQL) cannot be used: not a bug, and nothing may run without it.
            var message = $"the audit trail cannot be used: {TerminalText.OneLine(e.Message)}";
            stderr.WriteLine($"Error: {message}");
            stderr.WriteLine("Nothing was run. 'opsmith audit verify' says whether the trail is damaged; docs/audit.md says where it lives.");
            return JsonError(context, message, ExitCodes.Invalid, "unavailable");
        }
        catch (ConfigurationException e)
        {
            stderr.WriteLine($"Error: {e.Message}");
            stderr.WriteLine("See docs/configuration.md for every key and variable.");
            return JsonError(context, e.Message, ExitCodes.Usage, "invalid");
        }
        catch (Exception e)
        {
            // A bug: never show a stack trace to the person at 3 a.m.; show what to report.
            var message = $"Opsmith hit an internal error ({e.GetType().Name}: {e.Message})";
            stderr.WriteLine($"Error: {message}.");
            stderr.WriteLine("This is a bug. Please report it with the command you ran; set OPSMITH_DEBUG=1 to see details.");
            if (Environment.GetEnvironmentVariable("OPSMITH_DEBUG") == "1") stderr.WriteLine(e);
            return JsonError(context, message, ExitCodes.InternalError);
        }
    }

    /// <summary>With --output json, the failure the text above described, as the one document on stdout.</summary>
    private static int JsonError(CliContext context, string message, int exitCode, string? kind = null)
    {
        if (context.Format == OutputFormat.Json) ErrorDocument.Write(context.Stdout, kind ?? ErrorDocument.KindOf(exitCode), message, exitCode);
        return exitCode;
    }

    /// <summary>json when the command takes --output text|json and was given json (even if another token failed to parse).</summary>
    private static OutputFormat RequestedFormat(ParseResult parsed)
    {
        if (parsed.CommandResult.Command.Options.OfType<Option<OutputFormat>>().FirstOrDefault() is not { } option) return OutputFormat.Text;
        var result = parsed.GetResult(option);
        return result is { Tokens.Count: 1 } && result.Tokens[0].Value == "json" ? OutputFormat.Json : OutputFormat.Text;
    }

    /// <summary>"opsmith audit show": the words that lead to a command, so a hint names the help that fits.</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            if (r.Command is not RootCommand) names.Insert(0, r.Command.Name);
        return string.Join(' ', names.Prepend("opsmith"));
    }

    /// <summary>A cancellation, however wrapped: an interruption, never an internal error.</summary>
    private static bool IsCancellation(Exception e) => e switch
    {
        OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsCancellation),
        _ => false,
    };

    /// <summary>
    /// "unknown command 'valdate'; did you mean 'validate'?" when the first word the parser could not place is
    /// where a verb (or a verb's sub-command) belongs; null for other parse errors.
    /// </summary>
    private static string? UnknownVerb(ParseResult parsed, Command verb)
    {
        if (verb.Subcommands.Count == 0 || parsed.UnmatchedTokens.Count == 0) return null;
        var word = parsed.UnmatchedTokens[0];
        if (word.StartsWith('-')) return null;
        var names = verb.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
        var where = verb is RootCommand ? "command" : $"'{verb.Name}' command";
        var suggestion = Core.Text.Suggestions.Closest(word, names);
        return suggestion is not null
            ? $"unknown {where} '{word}'; did you mean '{suggestion}'?"
            : $"unknown {where} '{word}'; the commands are {string.Join(", ", names)}";
    }

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(
            "Opsmith turns operational know-how into typed, guarded runbooks (skills) that people and agents run safely.");
        var examples = new Dictionary<Command, string[]>
        {
            [root] = ["opsmith validate skills/", "opsmith generate examples/task-cards/nginx-down.yaml -o skills/"],
        };
        IVerb[] verbs =
        [
            new ValidateVerb(context),
            new GenerateVerb(context),
            new ImportVerb(context),
            new RunVerb(context),
            new RollbackVerb(context),
            new ReviewVerb(context),
            new AuditVerb(context),
            new ApprovalsVerb(context),
            new PolicyVerb(context),
            new KillSwitchVerb(context),
            new ServeVerb(context),
            new TokensVerb(context),
            new SkillsVerb(context),
            new ExportVerb(context),
            new LabVerb(context),
            new BenchVerb(context),
            new DemoVerb(context),
            new IncidentsVerb(context),
            new MonitorVerb(context),
            new DashboardVerb(context),
            new AgentVerb(context),
        ];
        foreach (var verb in verbs)
        {
            var command = verb.Build();
            root.Subcommands.Add(command);
            examples[command] = verb.Examples;
            foreach (var sub in command.Subcommands)
            {
                var own = verb.Examples.Where(e => e.Contains($" {command.Name} {sub.Name}", StringComparison.Ordinal)).ToArray();
                examples[sub] = own.Length > 0 ? own : verb.Examples;
            }
        }
        AddExamplesToHelp(root, examples);
        return root;
    }

    private static void AddExamplesToHelp(RootCommand root, IReadOnlyDictionary<Command, string[]> examples)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExamples((HelpAction)help.Action!, examples);
    }

    /// <summary>The standard help text followed by an Examples section.</summary>
    private sealed class HelpWithExamples(HelpAction standard, IReadOnlyDictionary<Command, string[]> examples)
        : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            standard.Invoke(parseResult);
            if (examples.TryGetValue(parseResult.CommandResult.Command, out var lines) && lines.Length > 0)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var line in lines) output.WriteLine($"  {line}");
                output.WriteLine();
            }
            return ExitCodes.Ok;
        }
    }
}

/// <summary>A verb of the CLI: builds its command and says how to use it.</summary>
public interface IVerb
{
    Command Build();
    string[] Examples { get; }
}

/// <summary>What verbs share: where to write, and how.</summary>
public sealed record CliContext(TextWriter Stdout, TextWriter Stderr)
{
    public Terminal Out => new(Stdout, Terminal.ShouldColour(Stdout));

    /// <summary>A second Ctrl-C or SIGTERM: a running skill's rollback gets less time (<see cref="InterruptSignals"/>).</summary>
    public CancellationToken Hurried { get; init; }

    /// <summary>The --output the command was given (text when it takes none): failures follow it.</summary>
    public OutputFormat Format { get; set; } = OutputFormat.Text;

    /// <summary>
    /// Prints "Error: message" on stderr (and with --output json the error document on stdout) and returns
    /// <paramref name="exitCode"/>, for verbs that stop early.
    /// </summary>
    public int Fail(string message, int exitCode)
    {
        Stderr.WriteLine($"Error: {message.Replace("\n", "\n       ", StringComparison.Ordinal)}");
        if (Format == OutputFormat.Json) ErrorDocument.Write(Stdout, ErrorDocument.KindOf(exitCode), message, exitCode);
        return exitCode;
    }

    public static Option<OutputFormat> OutputOption()
    {
        var option = new Option<OutputFormat>("--output")
        {
            Description = "How to print results: text for people, json for programs (one document, see docs/cli.md).",
            HelpName = "text|json",
            DefaultValueFactory = _ => OutputFormat.Text,
            CustomParser = result => result.Tokens.Single().Value switch
            {
                "text" => OutputFormat.Text,
                "json" => OutputFormat.Json,
                var other => Fail(result, other),
            },
        };
        return option;

        static OutputFormat Fail(System.CommandLine.Parsing.ArgumentResult result, string value)
        {
            result.AddError($"--output must be text or json, not '{value}'");
            return OutputFormat.Text;
        }
    }
}

/// <summary>A command-line mistake found after parsing (for example a path that does not exist): exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);
