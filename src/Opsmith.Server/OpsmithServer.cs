using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Opsmith.Application;
using Opsmith.Application.Configuration;
using Opsmith.Application.Executions;
using Opsmith.Application.Skills;
using Opsmith.Policy.Decisions;
using Opsmith.Server.Auth;
using Opsmith.Server.Endpoints;

namespace Opsmith.Server;

/// <summary>
/// Builds <c>opsmith serve</c>: the shared Opsmith services (one per process, opened from the same configuration and data
/// folder as the CLI), token authentication with roles, rate limits, request size limits, ProblemDetails for every
/// error, the OpenAPI document, and the route groups in Endpoints/. Stopping the server cancels running executions
/// (each stops its current step and rolls back) and waits for their reports.
/// </summary>
public static class OpsmithServer
{
    /// <summary>The server's own identity: it acts for no one; every request acts for its token's person.</summary>
    public static readonly Actor ServerActor = new("opsmith-server", ActorKind.Agent);

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // A log line per request costs more than serving it: warnings and errors only, unless configured otherwise.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configure?.Invoke(builder);
        builder.Services.AddOpsmithServer();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Limits.MaxRequestBodySize = ServerOptions.From(context.Configuration).MaxRequestBytes);
        var app = builder.Build();
        app.MapOpsmithServer();
        return app;
    }

    public static IServiceCollection AddOpsmithServer(this IServiceCollection services)
    {
        services.AddSingleton(provider => ServerOptions.From(provider.GetRequiredService<IConfiguration>()));
        services.AddSingleton(provider => OpenServices(provider.GetRequiredService<ServerOptions>()));
        services.AddSingleton(provider => SkillRepository.For(provider.GetRequiredService<OpsmithServices>(),
            provider.GetRequiredService<ServerOptions>().GitHub));
        services.AddHostedService<PullRequestPolling>();
        services.AddSingleton(provider => new ExecutionService(provider.GetRequiredService<OpsmithServices>(),
            provider.GetRequiredService<SkillRepository>(), provider.GetRequiredService<ServerOptions>().Inventory));
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(130));
        services.ConfigureHttpJsonOptions(o => Json(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(Roles.AddPolicies);
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var rate = context.RequestServices.GetRequiredService<ServerOptions>().RequestsPerSecond;
                // Per token when one is sent (its public id, "opsmith_tk-…", never the secret), else per address.
                var header = context.Request.Headers.Authorization.ToString();
                var key = header.StartsWith("Bearer opsmith_tk-", StringComparison.Ordinal) && header.Length >= 26
                    ? header[7..26]
                    : context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = rate * 2, TokensPerPeriod = rate, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
                });
            });
            limiter.OnRejected = (context, _) => new ValueTask(Problems.Write(context.HttpContext, StatusCodes.Status429TooManyRequests,
                "Too many requests", "this token (or address) sent more requests than the server allows per second; retry in a second"));
        });
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new() { Title = "Opsmith API", Version = "v1", Description = "opsmith serve: skills, executions, approvals and audit (docs/api.md)." };
            return Task.CompletedTask;
        }));
        return services;
    }

    public static WebApplication MapOpsmithServer(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Kestrel enforces the limit while reading a body; a declared length over it is refused at once, as a problem document.
        var maxRequestBytes = app.Services.GetRequiredService<ServerOptions>().MaxRequestBytes;
        app.Use((context, next) => context.Request.ContentLength > maxRequestBytes
            ? Problems.Write(context, StatusCodes.Status413PayloadTooLarge, "Request too large",
                $"the body is {context.Request.ContentLength} bytes; this server accepts at most {maxRequestBytes} (Opsmith:MaxRequestBytes)")
            : next(context));
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        var executions = app.Services.GetRequiredService<ExecutionService>();
        // Executions a killed server left running are marked interrupted at start (and before any is read).
        app.Lifetime.ApplicationStarted.Register(() => _ = executions.RecoverAsync());
        app.Lifetime.ApplicationStopping.Register(() => executions.StopAsync().Wait(
            TimeSpan.FromSeconds(app.Services.GetRequiredService<ServerOptions>().ShutdownSeconds)));
        app.Lifetime.ApplicationStopped.Register(() => app.Services.GetRequiredService<OpsmithServices>().DisposeAsync().AsTask().Wait());
        app.MapOpenApi().AllowAnonymous();
        app.MapHealth();
        var api = app.MapGroup("/api");
        api.MapSkills();
        api.MapExecutions();
        api.MapCallback();
        api.MapGitHubWebhook();
        api.MapTasks();
        api.MapApprovals();
        api.MapAudit();
        api.MapKillSwitch();
        api.MapIncidents();
        return app;
    }

    /// <summary>The API's JSON: snake_case fields and kebab-case enums, like every JSON document Opsmith prints.</summary>
    public static JsonSerializerOptions Json(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        return options;
    }

    private static OpsmithServices OpenServices(ServerOptions server)
    {
        var (options, issues) = OptionsLoader.Load(
            name => name == "OPSMITH_HOME" && server.Home is { } home ? home : Environment.GetEnvironmentVariable(name), OptionOverrides.None);
        if (options is null)
            throw new InvalidOperationException($"the configuration is not valid:\n  {string.Join("\n  ", issues)}\nSee docs/configuration.md.");
        if (server.AuditPostgres is { } postgres) options = options with { AuditPostgres = postgres };
        return new OpsmithServices(options, ServerActor);
    }
}
