using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Opsmith.Testing;

/// <summary>
/// A throwaway PostgreSQL server from Debian's postgresql package: initdb into a temporary folder, started
/// with pg_ctl on a free port on 127.0.0.1, stopped and deleted on dispose. initdb refuses to run as root,
/// so as root every server command runs as the postgres user (runuser). Also used by bench/audit.sh.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SuperUser = "opsmith";
    private readonly string _binaries;
    private readonly bool _asPostgresUser;

    private PostgresServer(string folder, string binaries, bool asPostgresUser, int port)
    {
        Folder = folder;
        _binaries = binaries;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public string Folder { get; }
    public int Port { get; }
    private string DataFolder => Path.Combine(Folder, "data");

    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
    }.ToString();

    /// <param name="durable">False turns fsync off: faster, for tests that never lose power. Benchmarks keep it on.</param>
    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        var binaries = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin or on PATH. " +
            "Run ./test.sh, which installs Debian's postgresql package, or: apt-get install -y postgresql");
        var asPostgresUser = Environment.UserName == "root";
        var folder = Directory.CreateTempSubdirectory("opsmith-pg-").FullName;
        if (asPostgresUser) await RunAsync("chown", ["postgres:postgres", folder]);

        var server = new PostgresServer(folder, binaries, asPostgresUser, FreePort());
        try
        {
            await server.RunServerCommandAsync("initdb", "-D", server.DataFolder, "-U", SuperUser, "--auth=trust", "-E", "UTF8",
                "--locale=C", "--no-sync");
            var settings = $"-p {server.Port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200" +
                           (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            await server.RunServerCommandAsync("pg_ctl", "-D", server.DataFolder, "-l", Path.Combine(folder, "server.log"), "-w",
                "-t", "60", "-o", settings, "start");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh, empty schema; the connection string puts it first on the search path.</summary>
    public async Task<string> CreateSchemaAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString()))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString()) { SearchPath = name }.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
                await RunServerCommandAsync("pg_ctl", "-D", DataFolder, "-m", "immediate", "-w", "stop");
        }
        finally
        {
            try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private Task RunServerCommandAsync(string program, params string[] args) =>
        _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_binaries, program), .. args])
            : RunAsync(Path.Combine(_binaries, program), args);

    private static async Task RunAsync(string program, string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed (exit {process.ExitCode}):\n{await stdout}{await stderr}");
    }

    private static string? FindBinaries()
    {
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        if (debian is not null) return debian;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(p => File.Exists(Path.Combine(p, "initdb")) && File.Exists(Path.Combine(p, "pg_ctl")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
