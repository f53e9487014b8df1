using System.CommandLine;
using Opsmith.Application;
using Opsmith.Cli.Output;
using Opsmith.Policy.Decisions;
using Opsmith.Storage.Tokens;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith tokens create|list|revoke</c>: API tokens for <c>opsmith serve</c>. A token acts for one person with one
/// role; only its hash is stored (in the audit database, shared with the server). The token is printed once.
/// </summary>
public sealed class TokensVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith tokens create --role viewer --for alice",
        "opsmith tokens create --role approver --output json",
        "opsmith tokens list",
        "opsmith tokens revoke tk-3f9a1c2e",
    ];

    public Command Build()
    {
        var tokens = new Command("tokens", "Create, list and revoke API tokens for opsmith serve (viewer, operator, approver, admin).");

        var role = new Option<string>("--role") { Description = $"What the token may do: {string.Join(", ", ApiRoleNames.All)}.", Required = true };
        var holder = new Option<string?>("--for") { Description = "The person it acts for (default: you, OPSMITH_ACTOR or your login)." };
        var createOutput = CliContext.OutputOption();
        var create = new Command("create", "Create a token; it is printed once and only its hash is kept.") { role, holder, createOutput };
        create.SetAction((p, ct) => CreateAsync(p.GetValue(role)!, p.GetValue(holder), p.GetValue(createOutput), ct));

        var listOutput = CliContext.OutputOption();
        var list = new Command("list", "List tokens (never their secrets), revoked ones included.") { listOutput };
        list.SetAction((p, ct) => ListAsync(p.GetValue(listOutput), ct));

        var id = new Argument<string>("ID") { Description = "The token's id, such as tk-3f9a1c2e (from tokens list)." };
        var revokeOutput = CliContext.OutputOption();
        var revoke = new Command("revoke", "Revoke a token: the server refuses it from the next request on.") { id, revokeOutput };
        revoke.SetAction((p, ct) => RevokeAsync(p.GetValue(id)!, p.GetValue(revokeOutput), ct));

        tokens.Subcommands.Add(create);
        tokens.Subcommands.Add(list);
        tokens.Subcommands.Add(revoke);
        return tokens;
    }

    private async Task<int> CreateAsync(string roleText, string? holderText, OutputFormat format, CancellationToken ct)
    {
        if (!ApiRoleNames.TryParse(roleText, out var role))
            throw new UsageException($"--role must be one of {string.Join(", ", ApiRoleNames.All)}, not '{roleText}'");
        var me = CliServices.CurrentActor();
        Actor holder = me;
        if (holderText is not null && !Actor.TryParse(holderText, out holder!, out var problem)) throw new UsageException($"--for: {problem}");
        await using var services = CliServices.Open();
        var created = await (await services.TokensAsync(ct)).CreateAsync(holder, role, me, ct);
        if (format == OutputFormat.Json)
            JsonOutput.Write(context.Stdout, new { token = created.Secret, id = created.Token.Id, name = created.Token.Name, role = role.ToWireName() });
        else
        {
            context.Stdout.WriteLine(created.Secret);
            context.Stderr.WriteLine($"Created {created.Token.Id} for {created.Token.Name} ({role.ToWireName()}). Keep it secret: it is not shown again.");
        }
        return ExitCodes.Ok;
    }

    private async Task<int> ListAsync(OutputFormat format, CancellationToken ct)
    {
        await using var services = CliServices.Open();
        var tokens = await (await services.TokensAsync(ct)).ListAsync(ct);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Stdout, new
            {
                tokens = tokens.Select(t => new { id = t.Id, name = t.Name, role = t.Role.ToWireName(), created = t.Created, created_by = t.CreatedBy, revoked = t.Revoked }),
            });
            return ExitCodes.Ok;
        }
        foreach (var t in tokens)
            context.Stdout.WriteLine($"{t.Id,-12} {t.Role.ToWireName(),-9} {TerminalText.OneLine(t.Name),-20} {t.Created:yyyy-MM-dd HH:mm}Z {(t.IsRevoked ? $"revoked {t.Revoked:yyyy-MM-dd HH:mm}Z" : "active")}");
        if (tokens.Count == 0) context.Stdout.WriteLine("No API tokens. 'opsmith tokens create --role viewer' makes one.");
        return ExitCodes.Ok;
    }

    private async Task<int> RevokeAsync(string id, OutputFormat format, CancellationToken ct)
    {
        await using var services = CliServices.Open();
        var revoked = await (await services.TokensAsync(ct)).RevokeAsync(id, ct);
        if (!revoked)
            return CliServices.Fail(context, OpsmithError.NotFound($"there is no active token {TerminalText.OneLine(id)}; 'opsmith tokens list' shows them."), format);
        if (format == OutputFormat.Json) JsonOutput.Write(context.Stdout, new { id, revoked });
        if (format == OutputFormat.Text) context.Stdout.WriteLine($"Revoked {TerminalText.OneLine(id)}: the server refuses it from now on.");
        return ExitCodes.Ok;
    }
}
