using Opsmith.Core.Yaml;

namespace Opsmith.Application.Import;

/// <summary>
/// A <c>LegatorEnvironment</c> as an Opsmith environment (<c>kind: Environment</c>) and the inventory it names. SSH hosts
/// come from <c>ssh://</c> endpoints and ssh-key credentials; with none, the inventory is this machine (where kubectl,
/// aws and friends run). Credentials stay where they are: the files refer to them (identity_file, url_env) and the
/// notes say how to fetch them. Data resources with a host and a path join the data inventory.
/// </summary>
public static class LegatorEnvironments
{
    /// <summary>Where a database keeps its files when nothing says otherwise (Debian's packages).</summary>
    private static readonly Dictionary<string, string> DataDirectories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mysql"] = "/var/lib/mysql", ["mariadb"] = "/var/lib/mysql", ["postgres"] = "/var/lib/postgresql", ["postgresql"] = "/var/lib/postgresql",
        ["redis"] = "/var/lib/redis", ["mongodb"] = "/var/lib/mongodb",
    };

    private sealed record Host(string Name, string Address, string? User, string? Port, string? IdentityFile, int Line);

    private sealed record DataResource(string Host, string Path, string Kind);

    private sealed record Channel(string? Url, string? UrlEnv);

    public static Conversion Convert(SourceDocument doc, string file, ImportContext context, ImportNotes notes)
    {
        var sourceName = SourceYaml.Str(SourceYaml.Map(doc.Root, "metadata"), "name");
        var spec = SourceYaml.Map(doc.Root, "spec");
        if (sourceName is null)
        {
            notes.CannotImport(doc.Line, "metadata.name", "the LegatorEnvironment has no metadata.name; an environment needs a name");
            return Conversion.Empty;
        }
        if (spec is null || spec.Entries.Count == 0)
        {
            notes.CannotImport(SourceYaml.LineOf(doc.Root, "spec"), "spec", $"LegatorEnvironment '{sourceName}' has an empty spec (a scaffold to fill in); there is nothing to carry over");
            return Conversion.Empty;
        }
        var name = SourceYaml.Kebab(sourceName);
        context.Environments.Add(name);
        name = context.Claim(ImportedKind.Environment, name, file, doc.Line, notes);

        var hosts = new List<Host>();
        string? prometheus = null;
        foreach (var entry in SourceYaml.Map(spec, "endpoints")?.Entries ?? [])
        {
            var url = SourceYaml.Str(entry.Value as YamlMapping, "url");
            if (url is null) continue;
            if (url.StartsWith("ssh://", StringComparison.Ordinal) && Uri.TryCreate(url, UriKind.Absolute, out var ssh))
                hosts.Add(new Host(SourceYaml.Kebab(entry.Key.Value), ssh.Host, ssh.UserInfo.Length > 0 ? ssh.UserInfo : null,
                    ssh.IsDefaultPort || ssh.Port == 22 ? null : ssh.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), null, entry.Key.Position.Line));
            else if (prometheus is null && (entry.Key.Value.Contains("prometheus", StringComparison.OrdinalIgnoreCase) || url.Contains(":9090", StringComparison.Ordinal))
                     && (url.StartsWith("http://", StringComparison.Ordinal) || url.StartsWith("https://", StringComparison.Ordinal)))
                prometheus = url.TrimEnd('/');
            else
                notes.NotCarried(entry.Key.Position.Line, $"endpoints.{entry.Key.Value}",
                    $"an environment lists no endpoints; to watch {url}, give the agent an invariant such as `- name: {SourceYaml.Kebab(entry.Key.Value)}-answers` with `http: {{url: ..., expect_status: 200}}` (docs/agent.md)");
        }
        Credentials(SourceYaml.Map(spec, "credentials"), hosts, notes);
        var local = hosts.Count == 0;
        if (local) LocalController(spec, notes);
        else
        {
            foreach (var host in hosts.Where(h => h.User is null))
                notes.Review(host.Line, host.Name, $"host '{host.Name}' logs in as root: Legator kept the user in its credential Secret, and Opsmith needs one; change `user:` if it is another");
            notes.Review(doc.Line, "hosts", "Opsmith checks host keys strictly: record each host's key before the first run (ssh-keyscan -H ADDRESS >> ~/.ssh/known_hosts, then compare the fingerprints), or set host_key_checking: accept-new (docs/inventory.md)");
        }
        var resources = DataResourcesOf(SourceYaml.Map(spec, "dataResources"), hosts, notes);
        var channels = Channels(SourceYaml.Map(spec, "channels"), notes);
        NotCarried(spec, notes);

        var inventory = new YamlWriter();
        inventory.Comment($"The hosts of LegatorEnvironment {sourceName}, imported by `opsmith import legator` from {Path.GetFileName(file)}.");
        inventory.Field("apiVersion", "opsmith/v1").Field("kind", "Inventory");
        if (!local) inventory.Section("defaults", d => d.Field("user", "root").Field("host_key_checking", "strict"));
        inventory.Section("hosts", h =>
        {
            if (local) h.Section("controller", c => c.Field("connection", "local"));
            foreach (var host in hosts)
                h.Section(host.Name, x =>
                {
                    x.Field("address", host.Address).Field("user", host.User);
                    if (host.Port is not null) x.Raw("port", host.Port);
                    x.Field("identity_file", host.IdentityFile);
                });
        });

        var environment = new YamlWriter();
        environment.Comment($"Imported by `opsmith import legator` from {Path.GetFileName(file)} (LegatorEnvironment {sourceName}). See docs/migrating.md.");
        environment.Field("apiVersion", "opsmith/v1").Field("kind", "Environment");
        environment.Section("metadata", m => m.Field("name", name).Field("description", SourceYaml.Str(spec, "description")));
        environment.Section("spec", s =>
        {
            s.Field("inventory", $"{name}.inventory.yaml").Field("prometheus", prometheus);
            if (resources.Count > 0) s.List("data_resources", resources, (r, x) => r.Field("host", x.Host).Field("path", x.Path).Field("kind", x.Kind));
            if (channels.Count > 0) s.List("channels", channels, (c, x) => c.Field("type", "webhook").Field("url", x.Url).Field("url_env", x.UrlEnv));
        });
        return new Conversion(
        [
            new ConvertedFile(file, doc.Line, ImportedKind.Environment, name, $"{name}.environment.yaml", environment.ToString()),
            new ConvertedFile(file, doc.Line, ImportedKind.Inventory, name, $"{name}.inventory.yaml", inventory.ToString()),
        ], []);
    }

    /// <summary>ssh-key credentials are hosts (their address and user were in the Secret); the others stay in the secret store.</summary>
    private static void Credentials(YamlMapping? credentials, List<Host> hosts, ImportNotes notes)
    {
        foreach (var entry in credentials?.Entries ?? [])
        {
            var credential = entry.Value as YamlMapping;
            var type = SourceYaml.Str(credential, "type") ?? "";
            var secret = SourceYaml.Str(credential, "secretRef");
            var line = entry.Key.Position.Line;
            if (type is "ssh-key" or "ssh-password" or "ssh")
            {
                var hostName = SourceYaml.Kebab(entry.Key.Value);
                var keyFile = $"keys/{hostName}";
                hosts.RemoveAll(h => h.Name == hostName);
                hosts.Add(new Host(hostName, hostName, null, null, keyFile, line));
                var fetch = secret is null ? "" : $" (kubectl get secret {secret} -o jsonpath='{{.data.private-key}}' | base64 -d > {keyFile}; chmod 600 {keyFile}; its host and user are in the same Secret)";
                notes.Review(line, $"credentials.{entry.Key.Value}",
                    $"host '{hostName}' is reached at address '{hostName}' with the key file {keyFile} next to the inventory{fetch}: set the real address and user from the Secret");
                if (type == "ssh-password")
                    notes.Changed(line, $"credentials.{entry.Key.Value}", "Opsmith logs in with keys only (password logins are off); the host needs a key");
            }
            else if (type == "vault-ssh-ca")
                notes.NotCarried(line, $"credentials.{entry.Key.Value}",
                    "Opsmith logs in with a key file; sign one with Vault's SSH CA (vault write -field=signed_key MOUNT/sign/ROLE public_key=@key.pub > key-cert.pub) and set identity_file to the key");
            else
                notes.NotCarried(line, $"credentials.{entry.Key.Value}",
                    $"a {(type.Length == 0 ? "credential" : type + " credential")}{(secret is null ? "" : $" in Secret '{secret}'")} is not part of an environment: a skill that needs it declares a secret input (secret: true), given as OPSMITH_SECRET_NAME at run time");
        }
    }

    private static void LocalController(YamlMapping spec, ImportNotes notes)
    {
        var connection = SourceYaml.Map(spec, "connection");
        var kind = SourceYaml.Str(connection, "kind") ?? "in-cluster";
        var kubeconfig = SourceYaml.Map(connection, "kubeconfig");
        var how = kind == "kubeconfig" && SourceYaml.Str(kubeconfig, "secretRef") is { } secret
            ? $"write the kubeconfig of Secret '{secret}' to a file (kubectl get secret {secret} -o jsonpath='{{.data.{SourceYaml.Str(kubeconfig, "key") ?? "kubeconfig"}}}' | base64 -d > kubeconfig) and export KUBECONFIG"
            : "give this machine a kubeconfig (Legator used its in-cluster service account)";
        notes.Review(SourceYaml.LineOf(spec, "connection"), "connection",
            $"the environment has no SSH hosts, so its inventory is this machine ('controller', connection: local), where kubectl and the cloud CLIs run: {how}");
    }

    private static List<DataResource> DataResourcesOf(YamlMapping? data, IReadOnlyList<Host> hosts, ImportNotes notes)
    {
        var resources = new List<DataResource>();
        if (data is null) return resources;
        foreach (var (section, item) in new[] { "databases", "persistentStorage", "objectStorage" }.SelectMany(s => SourceYaml.Seq(data, s).Select(i => (s, i))))
        {
            var entry = item as YamlMapping;
            var kind = SourceYaml.Str(entry, "kind") ?? section;
            var name = SourceYaml.Str(entry, "name") ?? "";
            var host = SourceYaml.Str(entry, "host") is { } h ? SourceYaml.Kebab(h) : null;
            var line = item.Position.Line;
            if (host is null || hosts.All(x => x.Name != host))
            {
                notes.NotCarried(line, $"dataResources.{section}", $"{kind} '{name}' is {(host is null ? "a Kubernetes or cloud object, not a path on a host" : $"on host '{host}', which the inventory does not have")}; " +
                    "Opsmith's data inventory protects paths on hosts, and its classifier already treats deleting PVCs, database clusters and buckets as data mutations");
                continue;
            }
            if (name.StartsWith('/')) resources.Add(new DataResource(host, name, kind == "filesystem" ? "directory" : SourceYaml.Kebab(kind)));
            else if (DataDirectories.TryGetValue(kind, out var directory))
            {
                resources.Add(new DataResource(host, directory, "database"));
                notes.Review(line, $"dataResources.{section}", $"{kind} database '{name}' on '{host}' is protected as its usual data directory {directory}; correct the path if it lives elsewhere");
            }
            else notes.NotCarried(line, $"dataResources.{section}", $"{kind} '{name}' on '{host}' names no path, and Opsmith protects paths");
        }
        if (data.Find("backupMaxAge") is { } age)
            notes.NotCarried(age.Key.Position.Line, "dataResources.backupMaxAge", "Opsmith does not check backup freshness; a detection skill can");
        return resources.DistinctBy(r => (r.Host, r.Path)).ToList();
    }

    /// <summary>Webhook channels; their URLs come from the environment (a webhook URL usually carries its token).</summary>
    private static List<Channel> Channels(YamlMapping? channels, ImportNotes notes)
    {
        var result = new List<Channel>();
        foreach (var entry in channels?.Entries ?? [])
        {
            var channel = entry.Value as YamlMapping;
            var type = SourceYaml.Str(channel, "type");
            var target = SourceYaml.Str(channel, "target");
            var line = entry.Key.Position.Line;
            if (type is "webhook" or "slack" && target is not null && (target.StartsWith("https://", StringComparison.Ordinal) || target.StartsWith("http://", StringComparison.Ordinal)))
            {
                var variable = SourceYaml.EnvName("OPSMITH", "CHANNEL", entry.Key.Value, "URL");
                result.Add(new Channel(null, variable));
                notes.Review(line, $"channels.{entry.Key.Value}",
                    $"channel '{entry.Key.Value}' posts to the URL in ${variable}: export it with the URL written at line {SourceYaml.LineOf(channel, "target")} of the source (a webhook URL usually carries its token, so Opsmith never writes one into a file)");
            }
            else
                notes.NotCarried(line, $"channels.{entry.Key.Value}", $"a {type ?? "channel"} channel{(target is null ? " without a URL" : "")} has no counterpart; Opsmith notifies webhooks");
        }
        return result;
    }

    private static void NotCarried(YamlMapping spec, ImportNotes notes)
    {
        foreach (var entry in spec.Entries)
        {
            var why = entry.Key.Value switch
            {
                "endpoints" or "credentials" or "dataResources" or "channels" or "description" or "connection" => null,
                "namespaces" => "Opsmith skills take the namespace as an input; pass it with --input namespace=...",
                "mcpServers" => "Opsmith's agent calls skills through its own executor, not MCP servers",
                "vault" => "Opsmith reads secrets from environment variables and files; fetch them from Vault before the run",
                "connectivity" => "Opsmith reaches hosts over SSH (with jump hosts); join the mesh VPN on the machine that runs Opsmith",
                _ => "LegatorEnvironment has no such field in its CRD",
            };
            if (why is not null) notes.NotCarried(entry.Key.Position.Line, entry.Key.Value, why);
        }
    }
}
