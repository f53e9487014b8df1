using System.Text.RegularExpressions;
using Opsmith.Core.Yaml;

namespace Opsmith.Application.Import;

/// <summary>
/// An OpsSkill cluster configuration (<c>jump_host</c> and <c>target_host</c> as <c>user@address</c>, <c>namespace</c>,
/// <c>kube_context</c>, <c>ssh_options</c>) as an inventory: the target host reached through the jump host, in group
/// <c>opsskill</c>. Host keys are always checked: <c>StrictHostKeyChecking=no</c> becomes strict checking, with the
/// commands that record the keys.
/// </summary>
public static partial class OpsSkillClusters
{
    public static bool Recognise(YamlMapping root) => root.Find("apiVersion") is null && (root.Find("jump_host") is not null || root.Find("target_host") is not null);

    public static Conversion Convert(SourceDocument doc, string file, ImportContext context, ImportNotes notes)
    {
        var root = doc.Root;
        var stem = Path.GetFileNameWithoutExtension(file);
        var name = SourceYaml.Kebab(stem.StartsWith("cluster.", StringComparison.Ordinal) && stem.Length > 8 ? stem[8..] : stem);
        name = context.Claim(ImportedKind.Inventory, name, file, doc.Line, notes);
        if (ParseHost(doc.Str("target_host"), doc.LineOf("target_host"), "target_host", notes) is not { } target)
            return Conversion.Empty;
        var jump = doc.Str("jump_host") is { } jumpText ? ParseHost(jumpText, doc.LineOf("jump_host"), "jump_host", notes) : null;
        if (doc.Str("jump_host") is not null && jump is null) return Conversion.Empty;
        var ssh = ReadSshOptions(SourceYaml.Strings(root, "ssh_options"), doc.LineOf("ssh_options"), notes);
        var checking = ssh.Checking ?? "strict";
        if (ssh.CheckingWasOff)
        {
            var scan = jump is null
                ? $"ssh-keyscan -H {target.Address} >> ~/.ssh/known_hosts"
                : $"ssh-keyscan -H {jump.Address} >> ~/.ssh/known_hosts, then for the target, which only the jump host reaches: ssh {jump.User}@{jump.Address} ssh-keyscan -H {target.Address} >> ~/.ssh/known_hosts";
            notes.Changed(doc.LineOf("ssh_options"), "ssh_options",
                "StrictHostKeyChecking=no is not carried over: Opsmith always checks host keys, and this inventory checks them strictly. " +
                $"Record the keys before the first run: {scan}; compare the fingerprints (ssh-keygen -lf ~/.ssh/known_hosts) with those the hosts' owner gives you. " +
                "Or set host_key_checking: accept-new to learn each key on first contact (a changed key still stops the connection). See docs/inventory.md");
        }

        var vars = new Dictionary<string, string>();
        if (doc.Str("namespace") is { } ns) vars["namespace"] = ns;
        if (doc.Str("kube_context") is { } kube)
        {
            vars["kubeconfig"] = kube;
            notes.Review(doc.LineOf("kube_context"), "kube_context",
                $"OpsSkill ran every command with KUBECONFIG={kube}; Opsmith runs commands as written: make it the default kubeconfig of {target.User} on the target (~/.kube/config); it is kept as the host variable 'kubeconfig'");
        }
        foreach (var entry in root.Entries.Where(e => e.Key.Value is not ("jump_host" or "target_host" or "namespace" or "kube_context" or "ssh_options")))
            notes.NotCarried(entry.Key.Position.Line, entry.Key.Value, "OpsSkill's cluster configuration has no such field");

        var w = new YamlWriter();
        w.Comment($"Imported by `opsmith import opsskill` from {Path.GetFileName(file)} (an OpsSkill cluster configuration).");
        w.Comment("Skills imported from OpsSkill run on group 'opsskill': run them with -i this-file --input host=opsskill.");
        w.Field("apiVersion", "opsmith/v1").Field("kind", "Inventory");
        w.Section("defaults", d =>
        {
            d.Field("host_key_checking", checking);
            if (ssh.KnownHosts is not null) d.Field("known_hosts", ssh.KnownHosts);
            if (ssh.IdentityFile is not null) d.Field("identity_file", ssh.IdentityFile);
        });
        var jumpName = $"{name}-jump";
        w.Section("hosts", hosts =>
        {
            if (jump is not null) hosts.Section(jumpName, h => HostFields(h, jump, null));
            hosts.Section(name, h =>
            {
                HostFields(h, target, ssh.Port);
                if (jump is not null) h.Field("jump", jumpName);
                h.FlowList("groups", [OpsSkillSkills.TargetGroup]);
                if (vars.Count > 0) h.Section("vars", v => { foreach (var (key, value) in vars) v.Field(key, value); });
            });
        });
        w.Section("groups", g => g.Raw(OpsSkillSkills.TargetGroup, "{}"));
        return new Conversion([new ConvertedFile(file, doc.Line, ImportedKind.Inventory, name, $"{name}.inventory.yaml", w.ToString())], []);
    }

    private static void HostFields(YamlWriter h, SshHost host, string? port)
    {
        h.Field("address", host.Address).Field("user", host.User);
        if ((host.Port ?? port) is { } p) h.Raw("port", p);
    }

    private sealed record SshHost(string User, string Address, string? Port);

    private static SshHost? ParseHost(string? text, int line, string field, ImportNotes notes)
    {
        if (text is null)
        {
            notes.CannotImport(line, field, $"the configuration has no {field}; an inventory needs the host to reach");
            return null;
        }
        if (UserAtHost().Match(text.Trim()) is not { Success: true } m)
        {
            notes.CannotImport(line, field, $"'{text}' is not user@address[:port]; Opsmith needs the user to log in as and the address");
            return null;
        }
        return new SshHost(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Success ? m.Groups[3].Value : null);
    }

    private sealed record SshSettings(string? Checking, bool CheckingWasOff, string? KnownHosts, string? IdentityFile, string? Port);

    /// <summary>The ssh options OpsSkill passed on its command line (<c>-o Key=Value</c>, <c>-i</c>, <c>-p</c>), read as inventory settings.</summary>
    private static SshSettings ReadSshOptions(IReadOnlyList<string> items, int line, ImportNotes notes)
    {
        var words = items.SelectMany(i => i.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        string? checking = null, knownHosts = null, identity = null, port = null;
        var off = false;
        for (var i = 0; i < words.Count; i++)
        {
            string? option = null;
            if (words[i] == "-o" && i + 1 < words.Count) option = words[++i];
            else if (words[i].StartsWith("-o", StringComparison.Ordinal) && words[i].Length > 2) option = words[i][2..];
            else if (words[i] == "-i" && i + 1 < words.Count) { identity = words[++i]; continue; }
            else if (words[i] == "-p" && i + 1 < words.Count) { port = words[++i]; continue; }
            if (option is null)
            {
                notes.NotCarried(line, "ssh_options", $"ssh option '{words[i]}' has no counterpart in an inventory");
                continue;
            }
            var eq = option.IndexOf('=');
            var key = eq > 0 ? option[..eq] : option;
            var value = eq > 0 ? option[(eq + 1)..] : "";
            switch (key.ToLowerInvariant())
            {
                case "stricthostkeychecking":
                    if (value.ToLowerInvariant() is "no" or "off" or "false") off = true;
                    else checking = value.ToLowerInvariant() == "accept-new" ? "accept-new" : "strict";
                    break;
                case "userknownhostsfile":
                    if (value is "/dev/null" or "none") off = true;
                    else knownHosts = value;
                    break;
                case "identityfile": identity = value; break;
                case "port": port = value; break;
                default:
                    notes.NotCarried(line, "ssh_options", $"ssh option {key} is not carried over: Opsmith writes its own ssh configuration from the inventory (docs/execution.md)");
                    break;
            }
        }
        return new SshSettings(checking, off, knownHosts, identity, port);
    }

    [GeneratedRegex(@"^([A-Za-z0-9_][A-Za-z0-9_.-]*)@([A-Za-z0-9_.:-]+?)(?::(\d{1,5}))?$")]
    private static partial Regex UserAtHost();
}
