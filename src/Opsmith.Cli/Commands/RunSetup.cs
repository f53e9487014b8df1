using Opsmith.Cli.Hosting;
using Opsmith.Cli.Output;
using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;
using Opsmith.Core.Rendering;
using Opsmith.Core.Skills;
using Opsmith.Execution.Checks;
using Opsmith.Execution.Hosts;
using Opsmith.Execution.Hosts.Ssh;
using Opsmith.Execution.Runs;
using System.CommandLine;
using Opsmith.Policy.Classification;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Approvals;
using Opsmith.Storage.Audit;

namespace Opsmith.Cli.Commands;

/// <summary>Loading a skill and an inventory for a run, and building the runner: shared by run and rollback.</summary>
public static class RunSetup
{
    private static readonly HttpClient SharedHttp = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Loads and validates a document of the expected kind; prints its problems to stderr and returns null when invalid.</summary>
    public static async Task<T?> LoadAsync<T>(CliContext context, string path, string what, CancellationToken ct) where T : class
    {
        if (!File.Exists(path)) throw new UsageException($"{what} '{path}' does not exist");
        var document = await DocumentValidation.LoadFileAsync(path, ct);
        if (document.Model is T model) return model;
        var terminal = new Terminal(context.Stderr, false);
        if (document.IsValid) context.Stderr.WriteLine($"Error: {path} is not a {what} (its kind is {document.Kind}).");
        else context.Stderr.WriteLine($"Error: {path} is not a valid {what}:");
        foreach (var diagnostic in document.Diagnostics.Where(d => d.IsError)) DiagnosticPrinter.Print(terminal, document, diagnostic);
        return null;
    }

    public static BoundInputs BindInputs(Skill skill, Inventory inventory, IEnumerable<string> pairs)
    {
        var given = InputOptions.Parse(pairs);
        InputOptions.AddSecretsFromEnvironment(given, skill.Spec.Inputs.Where(i => i.Secret).Select(i => i.Name));
        var (inputs, errors) = InputBinder.Bind(skill, given, inventory);
        if (inputs is null) throw new UsageException(string.Join("\n       ", errors));
        return inputs;
    }

    public static IReadOnlyList<InventoryHost> ResolveTargets(Skill skill, Inventory inventory, BoundInputs inputs)
    {
        var rendered = TemplateRenderer.Render(skill.Spec.Targets, new RenderContext(inputs.Values, null, null), RenderMode.Text);
        if (!rendered.Ok) throw new UsageException($"targets '{skill.Spec.Targets}' needs {string.Join(", ", rendered.Missing)}");
        var hosts = inventory.Resolve(rendered.Text!.Trim());
        if (hosts is null) throw new UsageException($"targets '{rendered.Text}' names no host or group in {inventory.SourceFile}");
        if (hosts.Count == 0) throw new UsageException($"group '{rendered.Text}' in {inventory.SourceFile} has no hosts");
        return hosts;
    }

    /// <summary>The person on whose behalf commands run: OPSMITH_ACTOR, else the login name; canonical (see <see cref="Opsmith.Policy.Decisions.Actor"/>).</summary>
    public static Actor CurrentActor()
    {
        var text = Environment.GetEnvironmentVariable("OPSMITH_ACTOR") is { Length: > 0 } actor ? actor : Environment.UserName;
        try { return new Actor(text, ActorKind.Human); }
        catch (ArgumentException e) { throw new UsageException($"OPSMITH_ACTOR: {e.Message}; set OPSMITH_ACTOR to your name"); }
    }

    /// <summary>The actor as the audit trail names it (<c>user:NAME</c>).</summary>
    public static string Actor() => CurrentActor().ToString();

    /// <summary>
    /// Opens the audit trail (marking runs of dead processes interrupted) and builds the runner whose executor
    /// records every command there before it runs.
    /// </summary>
    public static async Task<(SkillRunner Runner, IAuditStore Audit)> RunnerAsync(HostConnector connector, SecretMasker masker,
        IProgress<RunProgress>? progress, Skill skill, AutonomyLevel autonomy, TextWriter notices, CancellationToken ct)
    {
        var store = await AuditVerb.OpenAsync(ct);
        await store.MarkInterruptedRunsAsync(ct);
        var settings = PolicyFromEnvironment() with { Autonomy = autonomy };
        var actor = CurrentActor();
        var guard = new StepGuard(new CommandClassifier(), settings, actor, ApprovalStores.For(store, settings, TimeProvider.System),
            new Progress<string>(line => { lock (notices) notices.WriteLine(line); }));
        var executor = new HostExecutor(connector, new RunAudit(store, RunAudit.NewRunId(), actor.ToString(), skill.ContentHash), masker,
            KillSwitchVerb.Current(), guard);
        return (new SkillRunner(executor, new HttpCheck(SharedHttp), new TcpCheck(), new PrometheusCheck(SharedHttp), TimeProvider.System, progress), store);
    }

    public static HostConnector Connector(Inventory inventory) =>
        new(inventory, SshControlDirectory(), SshOptions.Default);

    /// <summary>
    /// How much may run without a person: --autonomy, else OPSMITH_AUTONOMY, else automate-safe. Whatever it is,
    /// a data-mutation step waits for another person's approval.
    /// </summary>
    public static Option<string?> AutonomyOption() => new("--autonomy")
    {
        Description = "observe | recommend | automate-safe (default) | automate-destructive. Data mutations always need another person's approval.",
    };

    /// <summary>
    /// Limits from the environment (a configuration file will take these over): OPSMITH_MAX_RUNS_PER_HOUR,
    /// OPSMITH_MAX_RUNS_PER_HOUR_PER_SKILL, OPSMITH_RUN_BUDGET (mutating runs per 24 h; 0 or unset: none),
    /// OPSMITH_APPROVAL_EXPIRY (a duration such as 30m), OPSMITH_APPROVAL_ON_EXPIRY (cancel | deny).
    /// </summary>
    public static PolicySettings PolicyFromEnvironment()
    {
        var settings = PolicySettings.Default;
        // Parsing and checking are PolicySettings' (pure, shared with the configuration layer to come).
        int? Count(string name, int? fallback)
        {
            var text = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(text)) return fallback;
            return PolicySettings.TryParseRunLimit(text, out var n, out var problem) ? n : throw new UsageException($"{name} {problem}");
        }
        int? budget = settings.RunBudget;
        if (Environment.GetEnvironmentVariable("OPSMITH_RUN_BUDGET") is { Length: > 0 } budgetText
            && !PolicySettings.TryParseRunBudget(budgetText, out budget, out var budgetProblem))
            throw new UsageException($"OPSMITH_RUN_BUDGET {budgetProblem}");
        settings = settings with
        {
            MaxRunsPerHour = Count("OPSMITH_MAX_RUNS_PER_HOUR", settings.MaxRunsPerHour),
            MaxRunsPerHourPerSkill = Count("OPSMITH_MAX_RUNS_PER_HOUR_PER_SKILL", settings.MaxRunsPerHourPerSkill),
            RunBudget = budget,
        };
        if (Environment.GetEnvironmentVariable("OPSMITH_APPROVAL_EXPIRY") is { Length: > 0 } expiry)
            settings = settings with
            {
                ApprovalExpiry = PolicySettings.TryParseApprovalExpiry(expiry, out var e, out var problem)
                    ? e : throw new UsageException($"OPSMITH_APPROVAL_EXPIRY {problem}"),
            };
        if (Environment.GetEnvironmentVariable("OPSMITH_APPROVAL_ON_EXPIRY") is { Length: > 0 } outcome)
            settings = settings with
            {
                OnExpiry = outcome switch
                {
                    "cancel" => ExpiryOutcome.Cancel,
                    "deny" => ExpiryOutcome.Deny,
                    _ => throw new UsageException($"OPSMITH_APPROVAL_ON_EXPIRY must be cancel or deny, not '{outcome}'"),
                },
            };
        if (settings.Validate() is { Count: > 0 } problems) throw new UsageException($"unsafe policy settings: {string.Join("; ", problems)}");
        return settings;
    }

    public static AutonomyLevel Autonomy(string? given)
    {
        var text = given ?? Environment.GetEnvironmentVariable("OPSMITH_AUTONOMY") ?? "automate-safe";
        return text switch
        {
            "observe" => AutonomyLevel.Observe,
            "recommend" => AutonomyLevel.Recommend,
            "automate-safe" => AutonomyLevel.AutomateSafe,
            "automate-destructive" => AutonomyLevel.AutomateDestructive,
            _ => throw new UsageException($"autonomy must be observe, recommend, automate-safe or automate-destructive, not '{text}'"),
        };
    }

    public static int ExitCode(string verdict) => verdict switch
    {
        Verdicts.Succeeded or Verdicts.Planned => ExitCodes.Ok,
        Verdicts.RollbackFailed => ExitCodes.RollbackFailed,
        _ => ExitCodes.SkillFailed,
    };

    /// <summary>
    /// Where ssh's ControlMaster sockets go: Opsmith's data folder, unless that path is too long for a Unix
    /// socket (108 bytes, and ssh appends 17 more while creating one) — then a private folder in /tmp named
    /// after it.
    /// </summary>
    public static string SshControlDirectory()
    {
        var preferred = Path.Combine(OpsmithPaths.FromEnvironment().DataDirectory, "ssh");
        if (preferred.Length <= 60) return preferred;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(preferred)))[..16];
        return Path.Combine("/tmp", $"opsmith-ssh-{hash}");
    }
}
