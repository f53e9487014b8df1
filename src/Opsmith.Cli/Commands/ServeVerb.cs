using System.CommandLine;
using Opsmith.Server;

namespace Opsmith.Cli.Commands;

/// <summary>
/// <c>opsmith serve</c>: the HTTP API (docs/server.md) in this process, on the same data folder, audit trail, approvals
/// and kill switch as the CLI. Ctrl-C or SIGTERM stops it gracefully: running executions stop their current step, roll
/// back what they changed, and their reports are written before it exits.
/// </summary>
public sealed class ServeVerb(CliContext context) : IVerb
{
    public string[] Examples =>
    [
        "opsmith serve --inventory inventory.yaml",
        "opsmith serve --listen http://127.0.0.1:8080 --inventory inventory.yaml",
        "Opsmith__CallbackSecret=$(cat secret) opsmith serve --listen http://0.0.0.0:8080 --inventory inventory.yaml",
    ];

    public Command Build()
    {
        var listen = new Option<string>("--listen") { Description = "Where to listen (a URL). Default: http://127.0.0.1:8080.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var inventory = new Option<string?>("--inventory") { Description = "The inventory executions run against; without it the server refuses to run skills." };
        var command = new Command("serve", "Serve the HTTP API: skills with Git review, executions with live events, approvals, audit.") { listen, inventory };
        command.SetAction((p, ct) => RunAsync(p.GetValue(listen)!, p.GetValue(inventory), ct));
        return command;
    }

    private async Task<int> RunAsync(string listen, string? inventory, CancellationToken ct)
    {
        if (!Uri.TryCreate(listen, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"--listen takes a URL such as http://127.0.0.1:8080, not '{listen}'");
        if (inventory is not null && !File.Exists(inventory)) throw new UsageException($"--inventory {inventory} does not exist");
        CliServices.Options(); // a configuration problem stops here, with every issue listed, before anything listens
        var arguments = new List<string> { "--urls", listen };
        if (inventory is not null) arguments.AddRange(["--Opsmith:Inventory", Path.GetFullPath(inventory)]);
        await using var app = OpsmithServer.Build([.. arguments]);
        await app.StartAsync(CancellationToken.None);
        context.Stderr.WriteLine($"Opsmith is serving on {listen} (Ctrl-C stops it; running executions roll back first).");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None);
        return ExitCodes.Ok;
    }
}
