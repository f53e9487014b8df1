using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Opsmith.Core.Documents;
using Opsmith.Core.Inventories;

namespace Opsmith.Core.Tests.Inventories;

public sealed class InventoryReaderTests
{
    private const string InventoryFile = "/srv/ops/inventory.yaml";

    /// <summary>The example from the issue that introduced the format, as written there.</summary>
    private const string IssueExample = """
        apiVersion: opsmith/v1
        kind: Inventory
        defaults: {user: root, port: 22, identity_file: ~/.ssh/id_ed25519, known_hosts: ~/.ssh/known_hosts,
                   host_key_checking: strict}
        hosts:
          bastion: {address: 10.0.0.1}
          web1:    {address: 10.0.1.11, jump: bastion, groups: [web], vars: {role: frontend}}
          web2:    {address: 10.0.1.12, port: 2222, jump: bastion, groups: [web]}
          self:    {connection: local}
        groups:
          web: {vars: {http_port: 80}}
        """;

    /// <summary>Three lines, so the first line of a test's hosts is line 4.</summary>
    private const string Header = "apiVersion: opsmith/v1\nkind: Inventory\ndefaults: {user: root}\n";

    // ---- reading a valid inventory ----

    [Fact]
    public void Issue_example_reads_as_an_inventory()
    {
        var document = Load(IssueExample);

        Assert.Equal(DocumentKind.Inventory, document.Kind);
        Assert.Empty(document.Diagnostics);
        Assert.Equal(["bastion", "web1", "web2", "self"], document.Inventory!.Hosts.Keys);
    }

    [Fact]
    public void Defaults_apply_to_a_host_that_does_not_override_them()
    {
        var web1 = Read(IssueExample).Hosts["web1"];

        Assert.Equal(ConnectionKind.Ssh, web1.Connection);
        Assert.Equal("10.0.1.11", web1.Address);
        Assert.Equal("root", web1.User);
        Assert.Equal(22, web1.Port);
        Assert.Equal(HostKeyChecking.Strict, web1.HostKeyChecking);
    }

    [Fact]
    public void A_host_setting_overrides_the_default()
    {
        var web2 = Read(IssueExample).Hosts["web2"];

        Assert.Equal(2222, web2.Port);
    }

    [Fact]
    public void Home_relative_key_paths_stay_as_written()
    {
        var web1 = Read(IssueExample).Hosts["web1"];

        Assert.Equal("~/.ssh/id_ed25519", web1.IdentityFile);
        Assert.Equal("~/.ssh/known_hosts", web1.KnownHosts);
    }

    [Fact]
    public void Relative_key_paths_are_made_absolute_from_the_inventory_folder()
    {
        var inventory = Read("""
            apiVersion: opsmith/v1
            kind: Inventory
            defaults: {user: root, identity_file: keys/ops_ed25519, known_hosts: ../known_hosts}
            hosts:
              web1: {address: 10.0.1.11}
            """);

        Assert.Equal(Path.GetFullPath("/srv/ops/keys/ops_ed25519"), inventory.Hosts["web1"].IdentityFile);
        Assert.Equal(Path.GetFullPath("/srv/known_hosts"), inventory.Hosts["web1"].KnownHosts);
    }

    [Fact]
    public void Accept_new_host_key_checking_is_read()
    {
        var inventory = Read(Header + "hosts:\n  web1: {address: 10.0.1.11, host_key_checking: accept-new}\n");

        Assert.Equal(HostKeyChecking.AcceptNew, inventory.Hosts["web1"].HostKeyChecking);
    }

    [Fact]
    public void A_local_host_needs_no_address_and_has_no_jump()
    {
        var self = Read(IssueExample).Hosts["self"];

        Assert.Equal(ConnectionKind.Local, self.Connection);
        Assert.Equal("localhost", self.Address);
        Assert.Null(self.Jump);
    }

    [Fact]
    public void Vars_merge_group_vars_then_host_vars()
    {
        var inventory = Read(IssueExample);

        var vars = inventory.VarsOf(inventory.Hosts["web1"]);

        Assert.Equal(new Dictionary<string, string> { ["http_port"] = "80", ["role"] = "frontend" }, vars);
    }

    [Fact]
    public void A_host_var_overrides_the_same_group_var()
    {
        var inventory = Read(Header + """
            hosts:
              web1: {address: 10.0.1.11, groups: [web], vars: {http_port: 8080}}
            groups:
              web: {vars: {http_port: 80}}
            """);

        Assert.Equal("8080", inventory.VarsOf(inventory.Hosts["web1"])["http_port"]);
    }

    [Fact]
    public void Resolving_a_group_gives_its_hosts_in_inventory_order()
    {
        var hosts = Read(IssueExample).Resolve("web");

        Assert.Equal(["web1", "web2"], hosts!.Select(h => h.Name));
    }

    [Fact]
    public void Resolving_all_gives_every_host()
    {
        var hosts = Read(IssueExample).Resolve("all");

        Assert.Equal(["bastion", "web1", "web2", "self"], hosts!.Select(h => h.Name));
    }

    [Fact]
    public void Resolving_a_host_name_gives_that_host()
    {
        var hosts = Read(IssueExample).Resolve("web2");

        Assert.Equal(["web2"], hosts!.Select(h => h.Name));
    }

    [Fact]
    public void Jump_chain_of_two_levels_lists_the_outermost_jump_first()
    {
        var inventory = Read(Header + """
            hosts:
              gateway: {address: 203.0.113.5}
              bastion: {address: 10.0.0.1, jump: gateway}
              web1:    {address: 10.0.1.11, jump: bastion}
            """);

        var chain = inventory.JumpChain(inventory.Hosts["web1"]);

        Assert.Equal(["gateway", "bastion"], chain.Select(h => h.Name));
    }

    [Fact]
    public void Unused_groups_are_fine()
    {
        var document = Load(Header + "hosts:\n  web1: {address: 10.0.1.11}\ngroups:\n  db: {}\n");

        Assert.True(document.IsValid);
        Assert.Empty(document.Diagnostics);
    }

    [Fact]
    public void Content_hash_is_the_sha256_of_the_source_text()
    {
        var inventory = Read(IssueExample);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(IssueExample))), inventory.ContentHash);
        Assert.Equal(InventoryFile, inventory.SourceFile);
    }

    [Fact]
    public void Every_inventory_example_in_the_docs_is_valid()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "inventory.md"));
        var examples = Regex.Matches(docs, "```yaml\n(.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value)
            .Where(y => y.Contains("kind: Inventory", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(examples);
        Assert.All(examples, yaml => Assert.Empty(Load(yaml).Diagnostics));
    }

    // ---- errors: one rule each, with the exact position and message ----

    [Fact]
    public void An_inventory_with_errors_has_no_model()
    {
        var document = Load(Header + "hosts:\n  web1: {address: 10.0.1.11, port: 0}\n");

        Assert.False(document.IsValid);
        Assert.Null(document.Inventory);
    }

    [Fact]
    public void Unknown_host_key_gets_a_did_you_mean()
    {
        var document = Load(Header + """
            hosts:
              web1:
                address: 10.0.1.11
                prot: 2222
            """);

        AssertOnly(document, "7:5: error: unknown key 'prot' in host 'web1'; did you mean 'port'?");
    }

    [Fact]
    public void Unknown_top_level_key_gets_a_did_you_mean()
    {
        var document = Load(Header + "hosts:\n  web1: {address: 10.0.1.11}\ngropus: {}\n");

        AssertOnly(document, "6:1: error: unknown key 'gropus' in an inventory; did you mean 'groups'?");
    }

    [Fact]
    public void Unknown_group_key_gets_a_did_you_mean()
    {
        var document = Load(Header + "hosts:\n  web1: {address: 10.0.1.11}\ngroups:\n  web: {var: {http_port: 80}}\n");

        AssertOnly(document, "7:9: error: unknown key 'var' in group 'web'; did you mean 'vars'?");
    }

    [Fact]
    public void Unknown_default_key_gets_a_did_you_mean()
    {
        var document = Load("""
            apiVersion: opsmith/v1
            kind: Inventory
            defaults: {user: root, prot: 22}
            hosts:
              web1: {address: 10.0.1.11}
            """);

        AssertOnly(document, "3:24: error: unknown key 'prot' in 'defaults'; did you mean 'port'?");
    }

    [Fact]
    public void A_host_only_key_under_defaults_is_rejected()
    {
        var document = Load("""
            apiVersion: opsmith/v1
            kind: Inventory
            defaults: {user: root, jump: bastion}
            hosts:
              bastion: {address: 10.0.0.1}
            """);

        AssertOnly(document,
            "3:24: error: 'jump' is set on each host, not under 'defaults'; defaults take only user, port, identity_file, known_hosts, host_key_checking");
    }

    [Theory]
    [InlineData("off")]
    [InlineData("no")]
    [InlineData("false")]
    public void Turning_host_key_checking_off_is_refused_and_accept_new_suggested(string value)
    {
        var document = Load(Header + $"hosts:\n  web1: {{address: 10.0.1.11, host_key_checking: {value}}}\n");

        AssertOnly(document,
            $"5:49: error: 'host_key_checking' in host 'web1' is '{value}', but there is no way to turn host-key checking off: " +
            "an unchecked host could be anyone who can intercept the connection. " +
            "Use 'accept-new' to trust a host's key on first contact and check it on every later connection");
        Assert.Equal("accept-new", document.Diagnostics.Single().Suggestion);
    }

    [Fact]
    public void Misspelt_host_key_checking_gets_a_did_you_mean()
    {
        var document = Load(Header + "hosts:\n  web1: {address: 10.0.1.11, host_key_checking: accept_new}\n");

        AssertOnly(document,
            "5:49: error: 'host_key_checking' in host 'web1' must be one of strict, accept-new, not 'accept_new'; did you mean 'accept-new'?");
    }

    [Fact]
    public void Unknown_connection_gets_a_did_you_mean()
    {
        var document = Load(Header + "hosts:\n  self: {connection: locl}\n");

        AssertOnly(document, "5:22: error: 'connection' in host 'self' must be one of ssh, local, not 'locl'; did you mean 'local'?");
    }

    [Fact]
    public void An_ssh_host_needs_an_address()
    {
        var document = Load(Header + "hosts:\n  web1: {port: 2222}\n");

        AssertOnly(document, "5:9: error: host 'web1' is missing required field 'address'");
    }

    [Theory]
    [InlineData("address", "127.0.0.1")]
    [InlineData("jump", "web1")]
    [InlineData("port", "2222")]
    public void A_local_host_must_not_have_ssh_settings(string key, string value)
    {
        var document = Load(Header + $"hosts:\n  self: {{connection: local, {key}: {value}}}\n");

        AssertOnly(document,
            $"5:29: error: host 'self' has 'connection: local', so '{key}' does not apply; remove it (a local host runs commands on this machine, without ssh)");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    public void Port_must_be_between_1_and_65535(string port)
    {
        var document = Load(Header + $"hosts:\n  web1: {{address: 10.0.1.11, port: {port}}}\n");

        AssertOnly(document, $"5:36: error: 'port' in host 'web1' must be between 1 and 65535, not {port}");
    }

    [Fact]
    public void An_address_starting_with_a_dash_is_rejected()
    {
        var document = Load(Header + "hosts:\n  web1: {address: \"-oProxyCommand=x\"}\n");

        AssertOnly(document,
            "5:19: error: 'address' in host 'web1' is '-oProxyCommand=x', which is not a host name or IP address: it must not be empty, contain spaces or start with '-'");
    }

    [Fact]
    public void An_ssh_host_needs_a_user_from_itself_or_the_defaults()
    {
        var document = Load("""
            apiVersion: opsmith/v1
            kind: Inventory
            hosts:
              web1: {address: 10.0.1.11}
            """);

        AssertOnly(document,
            "4:3: error: host 'web1' has no 'user' to log in as; set 'user' on the host or under 'defaults' (for example 'defaults: {user: deploy}')");
    }

    [Fact]
    public void Host_name_with_a_slash_is_rejected()
    {
        var document = Load(Header + "hosts:\n  web/1: {address: 10.0.1.11}\n");

        AssertOnly(document, "5:3: error: host name 'web/1' is not valid: use letters, digits, '-', '_' and '.', not starting with '-'");
    }

    [Fact]
    public void Host_name_starting_with_a_dash_is_rejected()
    {
        var document = Load(Header + "hosts:\n  '-web1': {address: 10.0.1.11}\n");

        AssertOnly(document, "5:3: error: host name '-web1' is not valid: use letters, digits, '-', '_' and '.', not starting with '-'");
    }

    [Fact]
    public void Jump_to_an_unknown_host_gets_a_did_you_mean()
    {
        var document = Load(Header + """
            hosts:
              bastion: {address: 10.0.0.1}
              web1: {address: 10.0.1.11, jump: bastoin}
            """);

        AssertOnly(document, "6:36: error: host 'web1' jumps through 'bastoin', which is not a host in this inventory; did you mean 'bastion'?");
    }

    [Fact]
    public void Jump_to_itself_is_rejected()
    {
        var document = Load(Header + "hosts:\n  web1: {address: 10.0.1.11, jump: web1}\n");

        AssertOnly(document, "5:36: error: host 'web1' names itself as its jump host; remove 'jump' or name the host to go through");
    }

    [Fact]
    public void Jump_through_a_local_host_is_rejected()
    {
        var document = Load(Header + """
            hosts:
              self: {connection: local}
              web1: {address: 10.0.1.11, jump: self}
            """);

        AssertOnly(document, "6:36: error: host 'web1' jumps through 'self', which is a local host; a jump host is reached over ssh");
    }

    [Fact]
    public void Jump_cycle_is_reported_with_the_chain()
    {
        var document = Load(Header + """
            hosts:
              web1: {address: 10.0.1.11, jump: bastion}
              bastion: {address: 10.0.0.1, jump: web1}
            """);

        AssertOnly(document,
            "5:36: error: jump hosts form a cycle: web1 -> bastion -> web1; none of these hosts can be reached. Remove or change the 'jump' of one of them");
    }

    [Fact]
    public void Jump_cycle_is_reported_once_at_its_first_host_in_the_file()
    {
        var document = Load(Header + """
            hosts:
              app: {address: 10.0.2.1, jump: b}
              a: {address: 10.0.0.1, jump: c}
              b: {address: 10.0.0.2, jump: a}
              c: {address: 10.0.0.3, jump: b}
            """);

        AssertOnly(document,
            "6:32: error: jump hosts form a cycle: a -> c -> b -> a; none of these hosts can be reached. Remove or change the 'jump' of one of them");
    }

    [Fact]
    public void Undeclared_group_gets_a_did_you_mean()
    {
        var document = Load(Header + """
            hosts:
              web1: {address: 10.0.1.11, groups: [wbe]}
            groups:
              web: {}
            """);

        AssertOnly(document, "5:39: error: host 'web1' is in group 'wbe', which is not declared under 'groups'; did you mean 'web'?");
    }

    [Fact]
    public void Group_with_the_name_of_a_host_is_rejected()
    {
        var document = Load(Header + """
            hosts:
              web1: {address: 10.0.1.11}
            groups:
              web1: {}
            """);

        AssertOnly(document,
            "7:3: error: group 'web1' has the same name as the host at line 5; a target must name one thing, so rename one of them");
    }

    [Fact]
    public void Group_named_all_is_reserved()
    {
        var document = Load(Header + """
            hosts:
              web1: {address: 10.0.1.11}
            groups:
              all: {vars: {region: eu}}
            """);

        AssertOnly(document, "7:3: error: 'all' is reserved: as a target it means every host; give this group another name");
    }

    [Fact]
    public void Host_named_all_is_reserved()
    {
        var document = Load(Header + "hosts:\n  all: {address: 10.0.1.11}\n");

        AssertOnly(document, "5:3: error: 'all' is reserved: as a target it means every host; give this host another name");
    }

    [Fact]
    public void A_host_cannot_list_all_among_its_groups()
    {
        var document = Load(Header + "hosts:\n  web1: {address: 10.0.1.11, groups: [all]}\n");

        AssertOnly(document, "5:39: error: host 'web1' lists group 'all'; every host is already in 'all', so leave it out");
    }

    [Fact]
    public void Vars_must_be_single_values()
    {
        var document = Load(Header + "hosts:\n  web1: {address: 10.0.1.11, vars: {ports: [80, 443]}}\n");

        AssertOnly(document, "5:44: error: var 'ports' in host 'web1' must be a single value (text, a number or true/false), not a list");
    }

    [Fact]
    public void Var_names_must_be_usable_in_templates()
    {
        var document = Load(Header + "hosts:\n  web1: {address: 10.0.1.11, vars: {\"a.b\": 1}}\n");

        AssertOnly(document,
            "5:37: error: var name 'a.b' is not valid: use letters, digits, '_' and '-' so that a template can name it as target.vars.NAME");
    }

    [Theory]
    [InlineData("hosts: {}")]
    [InlineData("hosts:")]
    public void Empty_hosts_is_an_error(string hosts)
    {
        var document = Load(Header + hosts + "\n");

        AssertOnly(document, "4:1: error: 'hosts' is empty; an inventory needs at least one host, such as 'web1: {address: 10.0.1.11}'");
    }

    [Fact]
    public void Missing_hosts_is_an_error()
    {
        var document = Load(Header);

        AssertOnly(document, "1:1: error: the inventory is missing required field 'hosts'");
    }

    private static LoadedDocument Load(string yaml) => DocumentLoader.Load(InventoryFile, yaml);

    private static Inventory Read(string yaml)
    {
        var document = Load(yaml);
        Assert.Empty(document.Diagnostics);
        return document.Inventory!;
    }

    private static void AssertOnly(LoadedDocument document, string expected)
    {
        var lines = document.Diagnostics
            .Select(d => $"{d.Position.Line}:{d.Position.Column}: {(d.IsError ? "error" : "warning")}: {d.Message}")
            .ToList();
        Assert.Equal([expected], lines);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Opsmith.slnx"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Opsmith.slnx)");
    }
}
