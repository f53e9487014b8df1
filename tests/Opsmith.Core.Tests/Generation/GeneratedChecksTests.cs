using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Opsmith.Core.Checks;
using Opsmith.Core.Documents;
using Opsmith.Core.Generation;
using Opsmith.Core.Rendering;
using Opsmith.Core.Skills;
using Opsmith.Core.TaskCards;

namespace Opsmith.Core.Tests.Generation;

/// <summary>
/// A check that cannot fail is a defect: it reports green whatever the host looks like. Every generated family's
/// check commands (preconditions, success criteria, the dry-run checks of actions, and read-only actions that stop
/// the run when they fail) are run for real with /bin/sh against things that do not exist — a closed port on
/// 127.0.0.1, a missing unit, process, folder, file and deployment — and each must fail. They are all read-only.
/// </summary>
public sealed class GeneratedChecksTests
{
    public static TheoryData<string> Families()
    {
        var data = new TheoryData<string>();
        foreach (var family in TemplateSkillGenerator.Families) data.Add(family.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Every_generated_check_fails_when_what_it_checks_is_missing(string family)
    {
        var skill = await GenerateAsync(family, MissingThings(ClosedPort()));
        var inputs = skill.Spec.Inputs.Where(i => i.Default is not null).ToDictionary(i => i.Name, i => i.Default!);
        var context = new RenderContext(inputs, null, null);
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hang fails the test, it is not a measure

        var checks = ChecksOf(skill).ToList();
        var passed = new List<string>();
        foreach (var (name, command, expect) in checks)
        {
            var rendered = TemplateRenderer.Render(command, context, RenderMode.Shell);
            Assert.True(rendered.Ok, $"{name}: cannot render {command}: {string.Join(", ", rendered.Missing)}");
            var (exitCode, stdout, stderr) = await ShellAsync(rendered.Text!, patience.Token);
            if (RunExpectationEvaluator.Evaluate(expect, exitCode, stdout, stderr).Passed)
                passed.Add($"{name}: `{rendered.Text}` exited {exitCode} with stdout '{stdout.Trim()}'");
        }

        if (family != "collect-diagnostics") Assert.NotEmpty(checks); // collecting diagnostics checks nothing, by design
        Assert.True(passed.Count == 0, $"checks of family '{family}' that pass although nothing is there:\n{string.Join('\n', passed)}");
    }

    [Fact]
    public async Task The_port_check_of_check_health_passes_when_something_listens()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var skill = await GenerateAsync("check-health", MissingThings(port));
        var command = skill.Spec.Actions.Single(a => a.Name == "port-listening").Run;
        var inputs = skill.Spec.Inputs.Where(i => i.Default is not null).ToDictionary(i => i.Name, i => i.Default!);
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        var (exitCode, _, stderr) = await ShellAsync(TemplateRenderer.Render(command, new RenderContext(inputs, null, null), RenderMode.Shell).Text!,
            patience.Token);

        Assert.True(exitCode == 0, stderr);
    }

    /// <summary>Values for every param a family reads, each naming something that is not there.</summary>
    private static Dictionary<string, string> MissingThings(int port) => new()
    {
        ["unit"] = "opsmith-no-such-unit",
        ["process"] = "opsmith-no-such-process",
        ["port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["deployment"] = "opsmith-no-such-deployment",
        ["namespace"] = "opsmith-no-such-namespace",
        ["path"] = "/nonexistent/opsmith-no-such-folder",
        ["config"] = "/nonexistent/opsmith-no-such-logrotate.conf",
        ["log_dir"] = "/nonexistent/opsmith-no-such-logs",
    };

    /// <summary>A port that was free a moment ago: bound, then released, so nothing listens on it.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static IEnumerable<(string Name, string Command, RunExpectation Expect)> ChecksOf(Skill skill)
    {
        foreach (var check in skill.Spec.Preconditions.Concat(skill.Spec.SuccessCriteria))
            if (check.Probe is RunProbe run) yield return (check.Name, run.Command, run.Expect);
        foreach (var action in skill.Spec.Actions)
        {
            if (action.Check is { } dryRun) yield return ($"{action.Name} (check)", dryRun, RunExpectation.Success);
            // A read-only action that stops the run when it fails is a check in all but name.
            if (action.Risk == RiskTier.Read && action.OnFailure != FailurePolicy.Continue)
                yield return (action.Name, action.Run, RunExpectation.Success);
        }
    }

    private static async Task<Skill> GenerateAsync(string family, IReadOnlyDictionary<string, string> parameters)
    {
        var stage = family switch { "check-health" => Stage.Detection, "collect-diagnostics" => Stage.Diagnosis, _ => Stage.Recovery };
        var card = new TaskCard("missing-things", "Check things that are not there", stage, "web1", "opsmith-no-such-service", null,
            Severity.Low, "the checks fail", [], family, parameters);
        var generated = await new TemplateSkillGenerator().GenerateAsync(card, CancellationToken.None);
        var document = DocumentLoader.Load("generated.yaml", generated.Yaml!);
        Assert.True(document.IsValid, string.Join('\n', document.Diagnostics.Select(d => d.ToLine())));
        return document.Skill!;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> ShellAsync(string command, CancellationToken ct)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
