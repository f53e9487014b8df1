using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Opsmith.Core.Diagnostics;
using Opsmith.Core.Text;
using Opsmith.Core.Yaml;

namespace Opsmith.Core.Inventories;

/// <summary>
/// Reads one inventory document into an <see cref="Inventory"/>, reporting every problem it finds: unknown keys,
/// bad values, undeclared groups, jumps to hosts that do not exist, and jump chains that loop. Defaults are
/// applied and relative key paths made absolute here, so code past this point trusts the model.
/// Returns an inventory only when there are no errors. The format is described in docs/inventory.md.
/// </summary>
public sealed partial class InventoryReader
{
    /// <summary>As a target, <c>all</c> means every host, so no host or group may take the name.</summary>
    public const string AllHosts = "all";

    public const int DefaultPort = 22;

    /// <summary>What a local host's <c>target.address</c> is: commands run on this machine.</summary>
    public const string LocalAddress = "localhost";

    private static readonly string[] SettingKeys = ["user", "port", "identity_file", "known_hosts", "host_key_checking"];
    private static readonly string[] HostKeys = ["address", "connection", "jump", "groups", "vars", "console", .. SettingKeys];
    private static readonly string[] LocalForbiddenKeys = ["address", "jump", "port"];
    private static readonly string[] CheckingOffSpellings = ["off", "no", "false", "none", "disabled", "ignore"];

    private readonly NodeReader _read;
    private readonly DiagnosticBag _diagnostics;
    private readonly string _folder;
    private readonly List<KnownHostsSetting> _knownHosts = [];

    private InventoryReader(DiagnosticBag diagnostics, string sourceFile)
    {
        _diagnostics = diagnostics;
        _read = new NodeReader(diagnostics);
        _folder = sourceFile.Length == 0 ? "" : Path.GetDirectoryName(Path.GetFullPath(sourceFile)) ?? "";
    }

    /// <summary>Connection settings as written under <c>defaults</c> or on one host, before defaults are applied.</summary>
    private sealed record Settings(string? User, int? Port, string? IdentityFile, string? KnownHosts, HostKeyChecking? HostKeyChecking);

    /// <summary>A host as read, with the nodes that later cross-checks point at.</summary>
    private sealed record HostEntry(InventoryHost Host, YamlScalar Key, YamlNode? JumpNode);

    private sealed record GroupEntry(InventoryGroup Group, YamlScalar Key);

    public static Inventory? Read(YamlMapping root, string sourceFile, string sourceText, DiagnosticBag diagnostics)
    {
        var reader = new InventoryReader(diagnostics, sourceFile);
        var inventory = reader.ReadInventory(root, sourceFile, sourceText);
        return diagnostics.HasErrors ? null : inventory;
    }

    private Inventory ReadInventory(YamlMapping root, string sourceFile, string sourceText)
    {
        _read.AllowOnly(root, "an inventory", "apiVersion", "kind", "defaults", "hosts", "groups");
        var defaults = ReadDefaults(_read.Mapping(root["defaults"], "'defaults'"));
        var groups = ReadGroups(_read.Mapping(root["groups"], "'groups'"));
        var hosts = ReadHosts(root, defaults, groups);
        CheckGroupsAgainstHosts(groups, hosts);
        var byName = new Dictionary<string, HostEntry>(StringComparer.Ordinal);
        foreach (var host in hosts) byName.TryAdd(host.Host.Name, host);
        CheckJumpTargets(hosts, byName);
        CheckJumpCycles(hosts, byName);

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sourceText)));
        return new Inventory(sourceFile, hash,
            byName.ToDictionary(h => h.Key, h => h.Value.Host, StringComparer.Ordinal),
            groups.ToDictionary(g => g.Key, g => g.Value.Group, StringComparer.Ordinal)) { KnownHostsSettings = _knownHosts };
    }

    private Settings ReadDefaults(YamlMapping? node)
    {
        if (node is null) return new Settings(null, null, null, null, null);
        const string context = "'defaults'";
        var hostOnly = node.Entries.Where(e => HostKeys.Contains(e.Key.Value) && !SettingKeys.Contains(e.Key.Value)).ToList();
        foreach (var entry in hostOnly)
            _diagnostics.Error("bad-field", entry.Key.Position,
                $"'{entry.Key.Value}' is set on each host, not under 'defaults'; defaults take only {string.Join(", ", SettingKeys)}",
                entry.Key.Path, length: entry.Key.Value.Length);
        _read.AllowOnly(node with { Entries = node.Entries.Except(hostOnly).ToList() }, context, SettingKeys);
        return ReadSettings(node, context);
    }

    private Settings ReadSettings(YamlMapping node, string context)
    {
        var user = _read.String(node, "user", context);
        if (user is not null && !IsSingleWord(user)) BadWord(node["user"]!, "user", context, user, "a user name");
        var port = _read.Int(node, "port", context, min: 1, max: 65535);
        return new Settings(user, port, ReadPath(node, "identity_file", context), ReadKnownHosts(node, context),
            ReadHostKeyChecking(node, context));
    }

    /// <summary>A known_hosts path that keeps keys; kept with its position for the on-disk check (<see cref="KnownHostsFiles"/>).</summary>
    private string? ReadKnownHosts(YamlMapping node, string context)
    {
        var path = ReadPath(node, "known_hosts", context);
        if (path is null) return null;
        var valueNode = node["known_hosts"]!;
        var setting = new KnownHostsSetting(path, valueNode.Path, valueNode.Position, Math.Max(1, (valueNode as YamlScalar)?.Length ?? 1));
        if (KnownHostsFiles.ProblemWithPathText(path) is { } why)
        {
            _diagnostics.Add(KnownHostsFiles.Diagnostic(_diagnostics.File, setting, why));
            return null;
        }
        _knownHosts.Add(setting);
        return path;
    }

    /// <summary>
    /// strict or accept-new. Anything that reads as "off" gets its own answer: turning checking off is not
    /// a setting Opsmith has, because a host whose key is not checked could be anyone on the path.
    /// </summary>
    private HostKeyChecking? ReadHostKeyChecking(YamlMapping node, string context)
    {
        var valueNode = node["host_key_checking"];
        var text = _read.String(valueNode, $"'host_key_checking' in {context}");
        if (text is null) return null;
        if (CheckingOffSpellings.Contains(text.ToLowerInvariant()))
        {
            _diagnostics.Add(new Diagnostic(Severity.Error, "host-key-checking-off", _diagnostics.File, valueNode!.Position,
                $"'host_key_checking' in {context} is '{text}', but there is no way to turn host-key checking off: " +
                "an unchecked host could be anyone who can intercept the connection. " +
                "Use 'accept-new' to trust a host's key on first contact and check it on every later connection",
                valueNode.Path, "accept-new", Math.Max(1, text.Length)));
            return null;
        }
        return _read.Enum<HostKeyChecking>(valueNode, $"'host_key_checking' in {context}");
    }

    /// <summary>A key path: <c>~</c> and absolute paths stay as written; a relative one is relative to the inventory's folder.</summary>
    private string? ReadPath(YamlMapping node, string key, string context)
    {
        var path = _read.String(node, key, context);
        if (path is null) return null;
        var valueNode = node[key]!;
        if (path.Length == 0 || path.Any(char.IsControl))
        {
            _diagnostics.Error("bad-value", valueNode.Position,
                $"'{key}' in {context} must be a file path on one line; leave the key out to use ssh's default", valueNode.Path);
            return null;
        }
        if (path.StartsWith('~') || path.StartsWith('/') || Path.IsPathRooted(path)) return path;
        return Path.GetFullPath(Path.Combine(_folder, path));
    }

    private Dictionary<string, GroupEntry> ReadGroups(YamlMapping? node)
    {
        var groups = new Dictionary<string, GroupEntry>(StringComparer.Ordinal);
        if (node is null) return groups;
        foreach (var entry in node.Entries)
        {
            var name = entry.Key.Value;
            var context = $"group '{name}'";
            CheckName(entry.Key, "group");
            var definition = _read.Mapping(entry.Value, context);
            IReadOnlyDictionary<string, string> vars = new Dictionary<string, string>();
            if (definition is not null)
            {
                _read.AllowOnly(definition, context, "vars");
                vars = ReadVars(definition, context);
            }
            groups[name] = new GroupEntry(new InventoryGroup(name, vars), entry.Key);
        }
        return groups;
    }

    private List<HostEntry> ReadHosts(YamlMapping root, Settings defaults, IReadOnlyDictionary<string, GroupEntry> groups)
    {
        var hosts = new List<HostEntry>();
        var hostsEntry = root.Find("hosts");
        if (hostsEntry is null)
        {
            _read.Required(root, "hosts", "the inventory");
            return hosts;
        }
        var node = _read.Mapping(hostsEntry.Value, "'hosts'");
        if (node is null) return hosts;
        if (node.Entries.Count == 0)
        {
            _diagnostics.Error("empty-hosts", hostsEntry.Key.Position,
                "'hosts' is empty; an inventory needs at least one host, such as 'web1: {address: 10.0.1.11}'", "hosts", length: 5);
            return hosts;
        }
        foreach (var entry in node.Entries)
        {
            var host = ReadHost(entry, defaults, groups);
            if (host is not null) hosts.Add(host);
        }
        return hosts;
    }

    private HostEntry? ReadHost(YamlEntry entry, Settings defaults, IReadOnlyDictionary<string, GroupEntry> groups)
    {
        var name = entry.Key.Value;
        var context = $"host '{name}'";
        CheckName(entry.Key, "host");
        var definition = _read.Mapping(entry.Value, context);
        if (definition is null) return null;
        _read.AllowOnly(definition, context, HostKeys);

        var connectionNode = definition["connection"];
        var connection = _read.Enum<ConnectionKind>(definition, "connection", context);
        var connectionKnown = connection is not null || connectionNode is null or YamlScalar { IsNull: true };
        var kind = connection ?? ConnectionKind.Ssh;
        var own = ReadSettings(definition, context);
        var address = _read.String(definition, "address", context);
        var jump = _read.String(definition, "jump", context);
        var memberOf = ReadMemberships(definition, context, groups);
        var vars = ReadVars(definition, context);

        if (connectionKnown && kind == ConnectionKind.Local)
        {
            foreach (var key in LocalForbiddenKeys)
            {
                if (definition.Find(key) is { } forbidden)
                    _diagnostics.Error("bad-field", forbidden.Key.Position,
                        $"{context} has 'connection: local', so '{key}' does not apply; remove it (a local host runs commands on this machine, without ssh)",
                        forbidden.Key.Path, length: key.Length);
            }
        }
        else if (connectionKnown)
        {
            if (address is null && definition["address"] is null or YamlScalar { IsNull: true })
                _read.Required(definition, "address", context);
            else if (address is not null && !IsSingleWord(address))
                BadWord(definition["address"]!, "address", context, address, "a host name or IP address");
        }

        var user = own.User ?? defaults.User;
        if (connectionKnown && kind == ConnectionKind.Ssh && user is null)
            _diagnostics.Error("missing-user", entry.Key.Position,
                $"{context} has no 'user' to log in as; set 'user' on the host or under 'defaults' (for example 'defaults: {{user: deploy}}')",
                entry.Key.Path, length: name.Length);

        var host = new InventoryHost(
            name,
            kind,
            kind == ConnectionKind.Local ? LocalAddress : address ?? "",
            own.Port ?? defaults.Port ?? DefaultPort,
            user ?? "",
            own.IdentityFile ?? defaults.IdentityFile,
            own.KnownHosts ?? defaults.KnownHosts,
            own.HostKeyChecking ?? defaults.HostKeyChecking ?? HostKeyChecking.Strict,
            kind == ConnectionKind.Local ? null : jump,
            memberOf,
            vars) { Console = ReadConsole(definition, context) };
        return new HostEntry(host, entry.Key, definition["jump"]);
    }

    /// <summary>
    /// <c>console: {command: [PROGRAM, ARG...]}</c>: an argument vector the controller runs to get a shell on the host.
    /// Each item is one argument on one line; the program must not start with '-'. Nothing is run here.
    /// </summary>
    private HostConsole? ReadConsole(YamlMapping definition, string context)
    {
        var where = $"'console' in {context}";
        var node = _read.Mapping(definition["console"], where);
        if (node is null) return null;
        _read.AllowOnly(node, where, "command");
        var commandNode = node["command"];
        if (commandNode is null)
        {
            _read.Required(node, "command", where);
            return null;
        }
        var sequence = _read.Sequence(commandNode, $"'command' in {where}");
        if (sequence is null) return null;
        if (sequence.Items.Count == 0)
        {
            _diagnostics.Error("bad-value", commandNode.Position,
                $"'command' in {where} is empty; give the program and its arguments, such as [ip, netns, exec, web1, /bin/sh]", commandNode.Path);
            return null;
        }
        var argv = new List<string>();
        foreach (var item in sequence.Items)
        {
            var argument = _read.String(item, $"an item of 'command' in {where}");
            if (argument is null) continue;
            if (argument.Any(char.IsControl) || (argv.Count == 0 && (argument.Length == 0 || argument.StartsWith('-'))))
            {
                _diagnostics.Error("bad-value", item.Position,
                    argv.Count == 0
                        ? $"the program of 'command' in {where} is '{argument}'; it must be a program name or path, not empty and not starting with '-'"
                        : $"an argument of 'command' in {where} contains a line break or control character; each item is one argument on one line",
                    item.Path, length: Math.Max(1, argument.Length));
                return null;
            }
            argv.Add(argument);
        }
        return argv.Count == sequence.Items.Count ? new HostConsole(argv) : null;
    }

    private List<string> ReadMemberships(YamlMapping definition, string context, IReadOnlyDictionary<string, GroupEntry> groups)
    {
        var names = new List<string>();
        var sequence = _read.Sequence(definition["groups"], $"'groups' in {context}");
        if (sequence is null) return names;
        foreach (var item in sequence.Items)
        {
            var name = _read.String(item, $"an item of 'groups' in {context}");
            if (name is null) continue;
            if (name == AllHosts)
                _diagnostics.Error("reserved-name", item.Position,
                    $"{context} lists group '{AllHosts}'; every host is already in '{AllHosts}', so leave it out", item.Path, length: name.Length);
            else if (!groups.ContainsKey(name))
                _diagnostics.Error("unknown-group", item.Position,
                    $"{context} is in group '{name}', which is not declared under 'groups'", item.Path,
                    Suggestions.Closest(name, groups.Keys), Math.Max(1, name.Length));
            else if (!names.Contains(name))
                names.Add(name);
        }
        return names;
    }

    /// <summary>Vars are single values, kept in their string form: templates print them, nothing computes with them.</summary>
    private Dictionary<string, string> ReadVars(YamlMapping definition, string context)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        var node = _read.Mapping(definition["vars"], $"'vars' in {context}");
        if (node is null) return vars;
        foreach (var entry in node.Entries)
        {
            var name = entry.Key.Value;
            _read.Matches(entry.Key, name, VarName(), "var name",
                "use letters, digits, '_' and '-' so that a template can name it as target.vars.NAME");
            if (entry.Value is YamlScalar scalar)
                vars[name] = scalar.IsNull ? "" : scalar.Value;
            else
                _diagnostics.Error("bad-type", entry.Value.Position,
                    $"var '{name}' in {context} must be a single value (text, a number or true/false), not {entry.Value.KindName}",
                    entry.Value.Path);
        }
        return vars;
    }

    private void CheckName(YamlScalar key, string what)
    {
        if (key.Value == AllHosts)
        {
            _diagnostics.Error("reserved-name", key.Position,
                $"'{AllHosts}' is reserved: as a target it means every host; give this {what} another name", key.Path, length: key.Value.Length);
            return;
        }
        _read.Matches(key, key.Value, TargetName(), $"{what} name", "use letters, digits, '-', '_' and '.', not starting with '-'");
    }

    /// <summary>A target names one thing: a host or a group, never both.</summary>
    private void CheckGroupsAgainstHosts(IReadOnlyDictionary<string, GroupEntry> groups, IReadOnlyList<HostEntry> hosts)
    {
        foreach (var host in hosts)
        {
            if (!groups.TryGetValue(host.Host.Name, out var group)) continue;
            _diagnostics.Error("name-clash", group.Key.Position,
                $"group '{group.Group.Name}' has the same name as the host at line {host.Key.Position.Line}; a target must name one thing, so rename one of them",
                group.Key.Path, length: group.Group.Name.Length);
        }
    }

    private void CheckJumpTargets(IReadOnlyList<HostEntry> hosts, IReadOnlyDictionary<string, HostEntry> byName)
    {
        foreach (var entry in hosts)
        {
            var (name, jump, node) = (entry.Host.Name, entry.Host.Jump, entry.JumpNode);
            if (jump is null || node is null) continue;
            if (jump == name)
                _diagnostics.Error("bad-jump", node.Position,
                    $"host '{name}' names itself as its jump host; remove 'jump' or name the host to go through", node.Path, length: jump.Length);
            else if (!byName.TryGetValue(jump, out var target))
                _diagnostics.Error("unknown-jump", node.Position,
                    $"host '{name}' jumps through '{jump}', which is not a host in this inventory", node.Path,
                    Suggestions.Closest(jump, byName.Keys.Where(k => k != name)), Math.Max(1, jump.Length));
            else if (target.Host.Connection == ConnectionKind.Local)
                _diagnostics.Error("bad-jump", node.Position,
                    $"host '{name}' jumps through '{jump}', which is a local host; a jump host is reached over ssh", node.Path, length: jump.Length);
        }
    }

    /// <summary>
    /// Each host has at most one jump, so each host is in at most one cycle. Walking from every host in
    /// inventory order finds every cycle; it is reported once, at the member that comes first in the file.
    /// </summary>
    private void CheckJumpCycles(IReadOnlyList<HostEntry> hosts, IReadOnlyDictionary<string, HostEntry> byName)
    {
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var host in hosts) order.TryAdd(host.Host.Name, order.Count);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in hosts)
        {
            var path = new List<string>();
            HostEntry? current = start;
            while (current is not null && !path.Contains(current.Host.Name))
            {
                path.Add(current.Host.Name);
                current = NextJump(current, byName);
            }
            if (current is null) continue;

            var cycle = path[path.IndexOf(current.Host.Name)..];
            var first = cycle.MinBy(n => order[n])!;
            if (!reported.Add(first)) continue;
            var at = cycle.IndexOf(first);
            var chain = string.Join(" -> ", [.. cycle[at..], .. cycle[..at], first]);
            var jumpNode = byName[first].JumpNode!;
            _diagnostics.Error("jump-cycle", jumpNode.Position,
                $"jump hosts form a cycle: {chain}; none of these hosts can be reached. Remove or change the 'jump' of one of them",
                jumpNode.Path, length: Math.Max(1, byName[first].Host.Jump!.Length));
        }
    }

    private static HostEntry? NextJump(HostEntry host, IReadOnlyDictionary<string, HostEntry> byName) =>
        host.Host.Jump is { } jump && jump != host.Host.Name && byName.TryGetValue(jump, out var next) ? next : null;

    /// <summary>Addresses and users go into a generated ssh_config: one word, no line breaks, nothing that reads as an option.</summary>
    private static bool IsSingleWord(string value) =>
        value.Length > 0 && !value.StartsWith('-') && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    private void BadWord(YamlNode node, string key, string context, string value, string what) =>
        _diagnostics.Error("bad-value", node.Position,
            $"'{key}' in {context} is '{value}', which is not {what}: it must not be empty, contain spaces or start with '-'",
            node.Path, length: Math.Max(1, value.Length));

    [GeneratedRegex("^[A-Za-z0-9_.][A-Za-z0-9_.-]*$")]
    private static partial Regex TargetName();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex VarName();
}
