using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Opsmith.Application;
using Opsmith.Application.Executions;
using Opsmith.Core.Runs;

namespace Opsmith.Server.Endpoints;

/// <summary>
/// <c>POST /api/skills/callback</c>: a GitHub Actions run exported by <c>opsmith export gha</c> reports how it ended.
/// It carries no token; it is authenticated the way GitHub signs webhooks: <c>X-Hub-Signature-256: sha256=HEX</c>, the
/// HMAC-SHA256 of the exact body under the configured callback secret. No secret configured: every callback is refused.
/// </summary>
public static class CallbackEndpoints
{
    public const string SignatureHeader = "X-Hub-Signature-256";

    public sealed record Callback(string? ExecutionId, string? Skill, string? Status, string? LogsUrl, Dictionary<string, string>? Outputs);

    public static void MapCallback(this RouteGroupBuilder api) =>
        api.MapPost("/skills/callback", async Task<Results<Ok<ExecutionsEndpoints.ApiExecution>, ProblemHttpResult>> (HttpRequest request,
                ServerOptions options, ExecutionService executions, IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                if (options.CallbackSecret is not { } secret)
                    return Problems.Status(StatusCodes.Status401Unauthorized, "Callbacks are off", "this server has no callback secret configured (Opsmith:CallbackSecret)");
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, ct);
                var body = buffer.ToArray();
                if (!Verify(secret, body, request.Headers[SignatureHeader].ToString()))
                    return Problems.Status(StatusCodes.Status401Unauthorized, "Bad signature",
                        $"{SignatureHeader} must be sha256= and the hex HMAC-SHA256 of the body under the callback secret");
                Callback? callback;
                try { callback = JsonSerializer.Deserialize<Callback>(body, json.Value.SerializerOptions); }
                catch (JsonException e) { return Problems.From(OpsmithError.BadRequest($"the callback body is not JSON: {e.Message}")); }
                if (callback?.ExecutionId is not { Length: > 0 } id || callback.Skill is not { Length: > 0 } skill)
                    return Problems.From(OpsmithError.BadRequest("a callback names execution_id and skill"));
                RunVerdict? verdict = callback.Status switch
                {
                    "success" or "succeeded" => RunVerdict.Succeeded,
                    "failure" or "failed" => RunVerdict.Failed,
                    "cancelled" or "canceled" => RunVerdict.Canceled,
                    _ => null,
                };
                if (verdict is null) return Problems.From(OpsmithError.BadRequest($"status must be success, failure or cancelled, not '{callback.Status}'"));
                var recorded = await executions.RecordCallbackAsync(id, skill, verdict.Value, callback.LogsUrl, callback.Outputs ?? [], ct);
                return recorded.Error is { } error ? Problems.From(error) : TypedResults.Ok(ExecutionsEndpoints.ApiExecution.From(recorded.Value!, false));
            }).AllowAnonymous().WithTags("executions")
            .WithSummary("A GitHub Actions run reports its result (signed with X-Hub-Signature-256)");

    /// <summary>Constant-time check of a GitHub-style signature header.</summary>
    public static bool Verify(string secret, byte[] body, string header)
    {
        if (!header.StartsWith("sha256=", StringComparison.Ordinal)) return false;
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(header.ToLowerInvariant()));
    }
}
