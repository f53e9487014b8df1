using Opsmith.Application.Import;
using Opsmith.Application.Validation;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Skills;
using Opsmith.Execution.Linting;

namespace Opsmith.Application.Tests.Import;

/// <summary>
/// `opsmith import` on realistic files of each source format: what it writes passes validate (with the real shellcheck),
/// hard-coded values become inputs, risk is the classifier's, unsafe settings are changed with a note on the source line,
/// credentials stay out of every file, and nothing is overwritten without --force.
/// </summary>
public sealed class ImportServiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("opsmith-import-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Source(string relative, string text)
    {
        var path = Path.Combine(_root, "source", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private string Out => Path.Combine(_root, "out");

    private async Task<ImportResult> ImportAsync(SourceSystem system, bool force = false, params string[] paths)
    {
        var result = await ImportService.ImportAsync(new ImportRequest(system, paths, Out, force), new ShellcheckLinter(), CancellationToken.None);
        Assert.True(result.Ok, result.Error?.Message);
        return result.Value!;
    }

    private string Written(string relative) => File.ReadAllText(Path.Combine(Out, relative));

    private static Diagnostic NoteAt(ImportResult result, string file, int line, string code) =>
        Assert.Single(result.Notes, n => n.File.EndsWith(file, StringComparison.Ordinal) && n.Position.Line == line && n.Code == code);

    [Fact]
    public async Task OpsSkill_skills_cards_clusters_and_instances_import_to_files_that_validate()
    {
        Source("skills/recovery/restart_checkout.yaml", ImportFixtures.OpsSkillRecovery);
        Source("skills/detection/warning_events.yaml", ImportFixtures.OpsSkillDetection);
        Source("experiments/task_cards/checkout_recover.yaml", ImportFixtures.OpsSkillTaskCard);
        Source("configs/cluster.staging.yaml", ImportFixtures.OpsSkillCluster);
        Source("examples/benchmark_task_instances.yaml", ImportFixtures.OpsSkillInstances);

        var result = await ImportAsync(SourceSystem.OpsSkill, paths: Path.Combine(_root, "source"));

        Assert.All(result.Files, f => Assert.True(f.Outcome == ImportOutcome.Written, $"{f.Path}: {f.Outcome} {string.Join("; ", f.Problems.Select(p => p.Message))}"));
        Assert.Equal(
            ["checkout-recover-rollout", "restart-checkout", "restart-checkout-hidden-checks", "shop-bench-v1-rec-001", "staging", "warning-events-snapshot"],
            result.Files.Select(f => f.Name).Order(StringComparer.Ordinal));
        // The same files, validated again from disk the way `opsmith validate imported/` does.
        var check = await DocumentValidation.ValidateAsync(result.Files.Select(f => f.Path).ToList(), strict: false, new ShellcheckLinter(), CancellationToken.None);
        Assert.True(check.IsValid, string.Join("\n", check.Documents.SelectMany(d => d.Diagnostics).Where(d => d.IsError).Select(d => d.ToLine())));
    }

    [Fact]
    public async Task Hard_coded_namespace_and_deployment_become_inputs_and_the_risk_label_never_lowers_the_risk()
    {
        var source = Source("restart_checkout.yaml", ImportFixtures.OpsSkillRecovery);

        var result = await ImportAsync(SourceSystem.OpsSkill, paths: source);

        var skill = (await DocumentValidation.LoadFileAsync(Path.Combine(Out, "skills/restart-checkout.yaml"), CancellationToken.None)).Skill!;
        Assert.Equal("shop", skill.Spec.FindInput("namespace")!.Default);
        Assert.Equal("checkout", skill.Spec.FindInput("deployment")!.Default);
        Assert.Equal("kubectl -n {{ inputs.namespace }} rollout restart deployment/{{ inputs.deployment }}", skill.Spec.Actions[0].Run);
        Assert.Equal("kubectl -n {{ inputs.namespace }} rollout history deployment/{{ inputs.deployment }}", skill.Spec.Actions[0].Check);
        Assert.Equal(FailurePolicy.Rollback, skill.Spec.Actions[0].OnFailure);
        Assert.Equal(RiskTier.ServiceMutation, skill.Spec.Risk);
        Assert.Equal(TimeSpan.FromSeconds(190), skill.Spec.SuccessCriteria[0].Timeout); // the kubectl --timeout=180s, and a little
        Assert.Contains("a label never lowers the risk", NoteAt(result, "restart_checkout.yaml", 8, ImportCodes.Changed).Message);
        // The hidden checks moved to a task card, where an agent never sees them; they keep their literal values.
        var card = (await DocumentValidation.LoadFileAsync(Path.Combine(Out, "task-cards/restart-checkout-hidden-checks.yaml"), CancellationToken.None)).TaskCard!;
        Assert.Equal(("opsskill", "checkout", Stage.Recovery), (card.Target, card.Service, card.Stage));
        Assert.Contains("-n shop get deployment checkout", Assert.IsType<RunProbe>(Assert.Single(card.HiddenChecks).Probe).Command);
        Assert.Equal("checkout", card.Params["deployment"]);
    }

    [Fact]
    public async Task A_whole_quoted_value_and_OPS_NAMESPACE_take_the_input_and_a_read_only_skill_needs_no_rollback()
    {
        var source = Source("warning_events.yaml", ImportFixtures.OpsSkillDetection);

        await ImportAsync(SourceSystem.OpsSkill, paths: source);

        var skill = (await DocumentValidation.LoadFileAsync(Path.Combine(Out, "skills/warning-events-snapshot.yaml"), CancellationToken.None)).Skill!;
        Assert.Equal(RiskTier.Read, skill.Spec.Risk);
        Assert.StartsWith("OPS_NAMESPACE={{ inputs.namespace }}\nexport OPS_NAMESPACE\n", skill.Spec.Actions[0].Run);
        Assert.Equal(FailurePolicy.Continue, skill.Spec.Actions[0].OnFailure);
        Assert.Equal("printf '%s\\n' {{ inputs.namespace }} && kubectl -n {{ inputs.namespace }} get pods --no-headers",
            Assert.IsType<RunProbe>(skill.Spec.SuccessCriteria[0].Probe).Command);
        Assert.True(skill.Spec.Rollback.IsMissing);
    }

    [Fact]
    public async Task StrictHostKeyChecking_no_becomes_strict_checking_with_how_to_record_the_keys()
    {
        var source = Source("configs/cluster.staging.yaml", ImportFixtures.OpsSkillCluster);

        var result = await ImportAsync(SourceSystem.OpsSkill, paths: source);

        var inventory = (await DocumentValidation.LoadFileAsync(Path.Combine(Out, "staging.inventory.yaml"), CancellationToken.None)).Inventory!;
        var target = inventory.Hosts["staging"];
        Assert.Equal(("10.20.3.110", "ubuntu", "staging-jump"), (target.Address, target.User, target.Jump));
        Assert.Contains("opsskill", target.Groups);
        Assert.Equal(("203.0.113.7", "ops"), (inventory.Hosts["staging-jump"].Address, inventory.Hosts["staging-jump"].User));
        Assert.DoesNotContain("accept-new", Written("staging.inventory.yaml"));
        Assert.Contains("host_key_checking: strict", Written("staging.inventory.yaml"));
        var changed = NoteAt(result, "cluster.staging.yaml", 5, ImportCodes.Changed);
        Assert.Contains("ssh-keyscan -H 203.0.113.7", changed.Message);
        Assert.Contains("ssh ops@203.0.113.7 ssh-keyscan -H 10.20.3.110", changed.Message);
    }

    [Fact]
    public async Task Existing_files_are_kept_without_force_and_replaced_with_it()
    {
        var source = Source("restart_checkout.yaml", ImportFixtures.OpsSkillRecovery);
        await ImportAsync(SourceSystem.OpsSkill, paths: source);
        var skillFile = Path.Combine(Out, "skills/restart-checkout.yaml");
        File.WriteAllText(skillFile, "# edited by hand\n");

        var again = await ImportAsync(SourceSystem.OpsSkill, paths: source);
        Assert.Equal("# edited by hand\n", File.ReadAllText(skillFile));
        Assert.All(again.Files, f => Assert.Equal(ImportOutcome.Exists, f.Outcome));
        Assert.False(again.AllValid);

        var forced = await ImportAsync(SourceSystem.OpsSkill, force: true, source);
        Assert.All(forced.Files, f => Assert.Equal(ImportOutcome.Written, f.Outcome));
        Assert.Contains("kind: Skill", File.ReadAllText(skillFile));
    }

    [Fact]
    public async Task What_cannot_be_imported_is_reported_with_its_source_line()
    {
        var broken = Source("broken.yaml", "name: x\nintent: y\nactions:\n  - name: a\n    command: [unclosed\n");
        var instances = Source("instances.yaml", ImportFixtures.OpsSkillInstances);
        var chaos = Source("chaos.yaml", "apiVersion: chaos-mesh.org/v1alpha1\nkind: StressChaos\nmetadata:\n  name: cpu\n");

        var result = await ImportAsync(SourceSystem.OpsSkill, paths: [broken, instances, chaos]);

        Assert.Equal([broken, chaos], result.NothingImported);
        Assert.Contains("the '[' at line 5, column 14 is not closed", Assert.Single(result.Notes, n => n.File == broken && n.Code == ImportCodes.CannotImport).Message);
        Assert.Contains("StressChaos", Assert.Single(result.Notes, n => n.File == chaos).Message);
        Assert.Contains("without an 'id'", NoteAt(result, "instances.yaml", 13, ImportCodes.CannotImport).Message);
        Assert.Single(result.Files, f => f.Name == "shop-bench-v1-rec-001" && f.Outcome == ImportOutcome.Written);
    }

    /// <summary>Files of each source that cannot be imported, the line their reason must name, and a word of the reason.</summary>
    public static TheoryData<SourceSystem, string, string, int, string> FilesThatDoNotImport => new()
    {
        { SourceSystem.OpsSkill, "broken.yaml", "name: x\nintent: y\nactions:\n  - name: a\n    command: [unclosed\n", 6, "the '[' at line 5, column 14 is not closed" },
        { SourceSystem.OpsSkill, "chaos.yaml", "apiVersion: chaos-mesh.org/v1alpha1\nkind: StressChaos\nmetadata:\n  name: cpu\n", 1, "StressChaos" },
        { SourceSystem.Legator, "deployment.yaml", "# the web app\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n", 2, "Deployment" },
        { SourceSystem.Legator, "no-kind.yaml", "apiVersion: legator.io/v1alpha1\nmetadata: {name: x}\n", 1, "no 'kind'" },
        { SourceSystem.Legator, "scaffold.yaml", ImportFixtures.LegatorScaffold, 5, "empty spec" },
        { SourceSystem.Legator, "tabs.yaml", "kind: LegatorAgent\nmetadata:\n\tname: x\n", 3, "" },
        { SourceSystem.AgentSkill, "runbook.yaml", "name: x\nsteps: [a]\n", 1, "not one" },
    };

    [Theory]
    [MemberData(nameof(FilesThatDoNotImport))]
    public async Task Every_file_that_does_not_import_says_why_at_a_line_of_the_source(SourceSystem system, string name, string text, int line, string reason)
    {
        var file = Source(name, text);

        var result = await ImportService.ImportAsync(new ImportRequest(system, [file], Out, false), new ShellcheckLinter(), CancellationToken.None);

        Assert.Equal([file], result.Value!.NothingImported);
        var why = Assert.Single(result.Value.Notes, n => n.File == file && n.Code == ImportCodes.CannotImport);
        Assert.Equal(line, why.Position.Line);
        Assert.Contains(reason, why.Message);
    }

    [Fact]
    public async Task A_Legator_agent_keeps_its_schedule_budgets_and_skills_and_is_never_given_more_autonomy()
    {
        var agent = Source("disk-watch.yaml", ImportFixtures.LegatorAgentWithSkill);
        var environment = Source("web-fleet.yaml", ImportFixtures.LegatorEnvironment);

        var result = await ImportAsync(SourceSystem.Legator, paths: [agent, environment]);

        var text = Written("disk-watch.agent.yaml");
        Assert.Contains("kind: Agent", text);
        Assert.Contains("environment: web-fleet.environment.yaml", text);
        Assert.Contains("autonomy: recommend", text);
        Assert.Contains("skills: [disk-watch]", text);
        Assert.Contains("instructions: [instructions/disk-watch/SKILL.md]", text); // the procedure of its skill, imported alongside
        Assert.Contains("schedule: \"*/15 * * * *\"", text);
        Assert.Contains("model_tier: fast", text);
        Assert.Contains("iterations: 6", text);
        Assert.Contains("tokens_per_session: 24000", text);
        Assert.Contains("lowered from automate-safe to recommend", NoteAt(result, "disk-watch.yaml", 19, ImportCodes.Changed).Message);
        NoteAt(result, "disk-watch.yaml", 22, ImportCodes.NotCarried); // maxRetries
        // The ConfigMap's SKILL.md: instructions for the LLM agent, and its read-only commands as a skill that validates.
        Assert.Contains("# Disk watch", Written("instructions/disk-watch/SKILL.md"));
        var skill = Assert.Single(result.Files, f => f.Kind == ImportedKind.Skill);
        Assert.Equal(ImportOutcome.Written, skill.Outcome);
        var loaded = (await DocumentValidation.LoadFileAsync(skill.Path, CancellationToken.None)).Skill!;
        Assert.Equal(["df -P /var", "free -m", "du -sh /var/log/nginx"], loaded.Spec.Actions.Select(a => a.Run.TrimEnd('\n')));
        Assert.Equal(["disk-usage", "memory", "biggest-logs"], loaded.Spec.Actions.Select(a => a.Name));
        // The delete is not typed, and the note names its line in the source file (inside the ConfigMap).
        Assert.Contains("find /var/log/nginx", NoteAt(result, "disk-watch.yaml", 46, ImportCodes.NotCarried).Message);
    }

    [Fact]
    public async Task A_Legator_environment_becomes_an_environment_and_inventory_with_credentials_only_by_reference()
    {
        var environment = Source("web-fleet.yaml", ImportFixtures.LegatorEnvironment);

        var result = await ImportAsync(SourceSystem.Legator, paths: environment);

        var inventoryFile = Assert.Single(result.Files, f => f.Kind == ImportedKind.Inventory);
        Assert.Equal(ImportOutcome.Written, inventoryFile.Outcome);
        var inventory = (await DocumentValidation.LoadFileAsync(inventoryFile.Path, CancellationToken.None)).Inventory!;
        var web = inventory.Hosts["web-1"];
        Assert.Equal(("web-1.internal.example", 2222, "deploy"), (web.Address, web.Port, web.User));
        Assert.EndsWith("keys/db-1", inventory.Hosts["db-1"].IdentityFile);
        var env = Written("web-fleet.environment.yaml");
        Assert.Contains("inventory: web-fleet.inventory.yaml", env);
        Assert.Contains("prometheus: http://prometheus.monitoring:9090", env);
        Assert.Contains("path: /var/lib/postgresql", env);
        Assert.Contains("url_env: OPSMITH_CHANNEL_OPS_HOOK_URL", env);
        foreach (var file in Directory.EnumerateFiles(Out, "*", SearchOption.AllDirectories).Select(File.ReadAllText))
        {
            Assert.DoesNotContain("abcdef", file);            // the webhook's token
            Assert.DoesNotContain("not-a-real-key", file);    // the Secret's key
            Assert.DoesNotContain("postgres-admin", file);
        }
        Assert.Contains("not imported", NoteAt(result, "web-fleet.yaml", 46, ImportCodes.Changed).Message);
        NoteAt(result, "web-fleet.yaml", 36, ImportCodes.NotCarried); // telegram
        NoteAt(result, "web-fleet.yaml", 29, ImportCodes.NotCarried); // a PersistentVolumeClaim is not a path on a host
    }

    [Fact]
    public async Task Model_tiers_name_the_variable_that_holds_the_key_and_skip_providers_Opsmith_cannot_speak()
    {
        var tiers = Source("model-tiers.yaml", ImportFixtures.LegatorModelTiers);

        var result = await ImportAsync(SourceSystem.Legator, paths: tiers);

        var text = Written("default.model-tiers.yaml");
        Assert.Contains("kind: ModelTiers", text);
        Assert.Contains("api_key_env: LLM_API_KEY", text);
        Assert.Contains("base_url: http://vllm.models:8000/v1", text);
        Assert.Contains("max_output_tokens: 4096", text);
        Assert.DoesNotContain("reasoning", text);
        Assert.Contains("kubectl get secret llm-api-key", NoteAt(result, "model-tiers.yaml", 11, ImportCodes.Review).Message);
        Assert.Contains("bedrock", NoteAt(result, "model-tiers.yaml", 22, ImportCodes.NotCarried).Message);
    }

    [Fact]
    public async Task A_scaffold_with_an_empty_spec_is_not_imported_and_says_why_at_its_line()
    {
        var scaffold = Source("sample.yaml", ImportFixtures.LegatorScaffold);

        var result = await ImportAsync(SourceSystem.Legator, paths: scaffold);

        Assert.Empty(result.Files);
        Assert.Contains("empty spec", NoteAt(result, "sample.yaml", 5, ImportCodes.CannotImport).Message);
    }

    [Fact]
    public async Task An_Agent_Skill_becomes_instructions_and_a_typed_draft_of_its_read_only_commands()
    {
        var skillFile = Source("nginx-triage/SKILL.md", ImportFixtures.AgentSkill);

        var result = await ImportAsync(SourceSystem.AgentSkill, paths: skillFile);

        Assert.Equal(ImportFixtures.AgentSkill, Written("instructions/nginx-triage/SKILL.md"));
        var skill = (await DocumentValidation.LoadFileAsync(Path.Combine(Out, "skills/nginx-triage.yaml"), CancellationToken.None)).Skill!;
        Assert.Equal("Find out why nginx stopped answering", skill.Metadata.Title);
        Assert.Equal(RiskTier.Read, skill.Spec.Risk);
        // The code block is one script (its lines share a shell); the inline command is a step of its own.
        Assert.Equal(["systemctl is-active nginx\nnginx -t\njournalctl -u nginx -n 50 --no-pager",
            "curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:{{ inputs.port }}/"], skill.Spec.Actions.Select(a => a.Run.TrimEnd('\n')));
        Assert.True(skill.Spec.FindInput("port")!.Required);
        NoteAt(result, "SKILL.md", 4, ImportCodes.NotCarried);                                        // front matter 'version'
        Assert.Contains("sql block", NoteAt(result, "SKILL.md", 18, ImportCodes.NotCarried).Message);
        Assert.Contains("systemctl restart nginx", NoteAt(result, "SKILL.md", 24, ImportCodes.NotCarried).Message);
        Assert.True(result.AllValid);
    }
}
