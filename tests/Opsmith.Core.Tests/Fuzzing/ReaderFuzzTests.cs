using System.Text;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;
using Opsmith.Core.Templates;
using Opsmith.Core.Text;

namespace Opsmith.Core.Tests.Fuzzing;

/// <summary>
/// Thousands of broken documents made from valid ones (skills, task cards, inventories; fixed seed, so a failure
/// reproduces): every problem must be a diagnostic with a file and a real line, never an exception, and reading
/// must end. A hang fails the test through a generous overall timeout, not through a measured duration.
/// </summary>
public sealed class ReaderFuzzTests
{
    private const int Seed = 20261130;
    private const int InputsPerSeedDocument = 120;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private const string Inventory = """
        apiVersion: opsmith/v1
        kind: Inventory
        defaults: {user: root, port: 22, identity_file: ~/.ssh/id_ed25519, host_key_checking: strict}
        hosts:
          bastion: {address: 10.0.0.1}
          web1:    {address: 10.0.1.11, jump: bastion, groups: [web], vars: {role: frontend}}
          web2:    {address: 10.0.1.12, port: 2222, jump: bastion, groups: [web]}
          self:    {connection: local}
        groups:
          web: {vars: {http_port: 80}}
        """;

    private const string OpsSkillCard = """
        name: redis-health-cache1
        intent: Tell whether redis on cache1 is healthy
        stage: detection
        target: cache1
        service: redis
        severity: medium
        expected_outcome: redis answers on port 6379
        """;

    private static IReadOnlyList<(string Name, byte[] Bytes)> SeedDocuments()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Opsmith.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        var files = Directory.GetFiles(Path.Combine(root.FullName, "skills"), "*.yaml")
            .Concat(Directory.GetFiles(Path.Combine(root.FullName, "examples", "task-cards"), "*.yaml"))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))
            .ToList();
        files.Add(("inventory.yaml", Encoding.UTF8.GetBytes(Inventory)));
        files.Add(("opsskill-card.yaml", Encoding.UTF8.GetBytes(OpsSkillCard)));
        return files;
    }

    [Fact]
    public async Task Mutated_documents_give_diagnostics_with_a_file_and_a_real_line_and_never_an_exception()
    {
        var seeds = SeedDocuments();
        var mutator = new DocumentMutator(new Random(Seed));
        var inputs = seeds.SelectMany(s => Enumerable.Range(0, InputsPerSeedDocument).Select(i => ($"{i:000}-{s.Name}", mutator.Mutate(s.Bytes)))).ToList();
        Assert.True(inputs.Count >= 3000, $"only {inputs.Count} inputs");
        var current = -1;
        var failures = new List<string>();

        var work = Task.Run(() =>
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                current = i;
                var (name, bytes) = inputs[i];
                foreach (var expected in new[] { DocumentKind.Unknown, DocumentKind.TaskCard })
                {
                    try
                    {
                        var document = DocumentLoader.Load(name, bytes, expected: expected);
                        var lines = Encoding.UTF8.GetString(bytes).Split('\n').Length;
                        failures.AddRange(document.Diagnostics.Where(d => !PointsIntoFile(d, name, lines))
                            .Select(d => $"{name} ({Describe(bytes)}): diagnostic outside the file: {d.ToLine()}"));
                        if (!document.IsValid && !document.Diagnostics.Any(d => d.IsError))
                            failures.Add($"{name} ({Describe(bytes)}): invalid without an error");
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{name} ({Describe(bytes)}): {e.GetType().Name}: {e.Message}");
                    }
                }
            }
        });
        var finished = await Task.WhenAny(work, Task.Delay(Patience));

        Assert.True(finished == work, $"reading did not end; stuck on input {current}: {inputs[Math.Max(0, current)].Item1}");
        await work;
        Assert.True(failures.Count == 0, $"{failures.Count} failures, the first ones:\n{string.Join('\n', failures.Take(15))}");
    }

    [Fact]
    public void Random_duration_and_template_texts_never_throw()
    {
        var random = new Random(Seed);
        const string alphabet = "0123456789msdh {}.|\\'\"-+ex\u00A0\u0660";
        for (var i = 0; i < 20_000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(60)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var digits = new string('9', random.Next(40)) + "dhms"[random.Next(4)];
            _ = DurationText.Parse(text, out _);
            Assert.NotEqual(DurationProblem.None, DurationText.Parse(digits.Length > 14 ? digits : "1000000d", out _));
            _ = TemplateText.Parse(text);
        }
    }

    private static bool PointsIntoFile(Diagnostic d, string name, int lines) =>
        d.File == name && d.Position.Line >= 1 && d.Position.Column >= 1 && d.Position.Line <= lines + 1;

    private static string Describe(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Length > 300 ? $"{text.Length} chars, starting '{Escape(text[..300])}'" : $"'{Escape(text)}'";
    }

    private static string Escape(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
