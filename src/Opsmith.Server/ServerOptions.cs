using Microsoft.Extensions.Configuration;

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
public sealed record ServerOptions(
    string? Home = null,
    string? AuditPostgres = null,
    string? Inventory = null,
    string? CallbackSecret = null,
    long MaxRequestBytes = 1024 * 1024,
    int RequestsPerSecond = 200,
    int ShutdownSeconds = 120)
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
            section.GetValue("ShutdownSeconds", defaults.ShutdownSeconds));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
