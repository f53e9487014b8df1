using Microsoft.Extensions.Configuration;
using Opsmith.Application.Skills;

namespace Opsmith.Server;

/// <summary>
/// What the server is told at start (configuration section <c>Opsmith</c>: appsettings, <c>Opsmith__Key</c> environment
/// variables, or the flags of <c>opsmith serve</c>). Everything else comes from Opsmith's own configuration
/// (docs/configuration.md), so the server and the CLI share data folder, audit trail, approvals and kill switch.
/// </summary>
/// <param name="Home">Like OPSMITH_HOME: config, data and cache under one folder. Null: Opsmith's usual folders.</param>
/// <param name="Inventory">The inventory executions run against; null: executions are refused with a reason.</param>
/// <param name="CallbackSecret">The HMAC key GitHub Actions callbacks are signed with; null: every callback is refused.</param>
/// <param name="MaxRequestBytes">The largest request body accepted.</param>
/// <param name="RequestsPerSecond">Per token (or per address, before authentication): the sustained rate allowed.</param>
/// <param name="ShutdownSeconds">How long a stop waits for running executions to finish or roll back.</param>
/// <param name="GitHub">Reviews as GitHub pull requests (section <c>Opsmith:GitHub</c>); null: local reviews.</param>
public sealed record ServerOptions(
    string? Home = null,
    string? AuditPostgres = null,
    string? Inventory = null,
    string? CallbackSecret = null,
    long MaxRequestBytes = 1024 * 1024,
    int RequestsPerSecond = 200,
    int ShutdownSeconds = 120,
    GitHubSettings? GitHub = null)
{
    public const string Section = "Opsmith";

    public static ServerOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var defaults = new ServerOptions();
        return new ServerOptions(
            Blank(section["Home"]),
            Blank(section["AuditPostgres"]),
            Blank(section["Inventory"]),
            Blank(section["CallbackSecret"]),
            section.GetValue("MaxRequestBytes", defaults.MaxRequestBytes),
            section.GetValue("RequestsPerSecond", defaults.RequestsPerSecond),
            section.GetValue("ShutdownSeconds", defaults.ShutdownSeconds),
            GitHubFrom(section.GetSection("GitHub")));
    }

    /// <summary>
    /// <c>Opsmith:GitHub:Remote</c>, <c>:Repository</c>, <c>:Token</c>, <c>:ApiUrl</c>, <c>:WebhookSecret</c>, <c>:PollSeconds</c>. No remote:
    /// local reviews. A remote with a missing or malformed part stops the server at start, naming the setting.
    /// </summary>
    private static GitHubSettings? GitHubFrom(IConfigurationSection section)
    {
        if (Blank(section["Remote"]) is not { } remote) return null;
        var api = Blank(section["ApiUrl"]) is { } url
            ? Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var parsed) ? parsed
                : throw new InvalidOperationException($"Opsmith:GitHub:ApiUrl '{url}' is not an absolute URL")
            : GitHubSettings.GitHubApi;
        var settings = new GitHubSettings(remote, section["Repository"] ?? "", section["Token"] ?? "", api, Blank(section["WebhookSecret"]),
            section.GetValue("PollSeconds", 60));
        return settings.Problem() is { } problem ? throw new InvalidOperationException(problem + " (docs/server.md, Reviews on GitHub)") : settings;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
