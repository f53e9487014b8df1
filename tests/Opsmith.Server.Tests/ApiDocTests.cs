using System.Text;
using System.Text.Json;

namespace Opsmith.Server.Tests;

/// <summary>
/// docs/api.md is generated from the server's OpenAPI document; this test fails when they differ. Regenerate with
/// <c>OPSMITH_UPDATE_DOCS=1 dotnet test tests/Opsmith.Server.Tests --filter ApiDocTests</c>.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ApiDocTests(ServerInfrastructure infrastructure)
{
    [Fact]
    public async Task Docs_api_md_matches_the_openapi_document()
    {
        await using var server = await infrastructure.NewServerAsync(usePostgres: false);
        var client = server.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var generated = Render(document);

        var file = Path.Combine(RepositoryRoot(), "docs", "api.md");
        if (Environment.GetEnvironmentVariable("OPSMITH_UPDATE_DOCS") == "1") await File.WriteAllTextAsync(file, generated);
        Assert.True(File.Exists(file), "docs/api.md is missing; regenerate it (see this test's summary)");
        Assert.Equal(generated, (await File.ReadAllTextAsync(file)).ReplaceLineEndings("\n"));
    }

    private static string Render(JsonElement document)
    {
        var text = new StringBuilder();
        text.Append("""
            # Opsmith HTTP API

            Generated from the server's OpenAPI document (`GET /openapi/v1.json`) by `tests/Opsmith.Server.Tests/ApiDocTests.cs`;
            do not edit by hand. How to run the server, authenticate and what each role may do: [server.md](server.md).

            Every error is an RFC 7807 problem (`application/problem+json`); an invalid skill's problem lists each
            diagnostic under `errors` with `file`, `line`, `column`, `field`, `code` and `message`. JSON fields are snake_case.

            """);
        foreach (var group in document.GetProperty("paths").EnumerateObject()
                     .SelectMany(p => p.Value.EnumerateObject().Select(o => (Path: p.Name, Method: o.Name.ToUpperInvariant(), Operation: o.Value)))
                     .GroupBy(o => o.Operation.TryGetProperty("tags", out var tags) ? tags[0].GetString()! : "other")
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append($"\n## {group.Key}\n\n| method | path | what it does | parameters |\n|---|---|---|---|\n");
            foreach (var (path, method, operation) in group.OrderBy(o => o.Path, StringComparer.Ordinal).ThenBy(o => o.Method, StringComparer.Ordinal))
            {
                var summary = operation.TryGetProperty("summary", out var s) ? s.GetString() : "";
                var parameters = operation.TryGetProperty("parameters", out var p)
                    ? string.Join(", ", p.EnumerateArray().Select(x => $"`{x.GetProperty("name").GetString()}` ({x.GetProperty("in").GetString()})"))
                    : "";
                if (operation.TryGetProperty("requestBody", out _)) parameters = parameters.Length == 0 ? "JSON body" : parameters + ", JSON body";
                text.Append($"| {method} | `{path}` | {summary} | {parameters} |\n");
            }
        }
        return text.ToString();
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Opsmith.slnx"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("the repository root (Opsmith.slnx) was not found above the test's folder");
    }
}
