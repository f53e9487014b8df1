namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Firewalls and network configuration: iptables, nft, ip, tc, ufw, firewall-cmd, ethtool, ifconfig, route,
/// sysctl, conntrack. Listing reads; adding or changing a rule is service-mutation; flushing a firewall,
/// dropping all traffic or taking an interface down can cut the machine off (destructive).
/// </summary>
internal static class Network
{
    private static readonly HashSet<string> IpShowVerbs = ["show", "sh", "list", "lst", "ls", "l", "get", "monitor", "help", "identify", "pids", "s"];

    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>>
        {
            ["nft"] = Nft,
            ["ip"] = Ip,
            ["tc"] = call => call.Args.Any(a => a is "show" or "ls" or "list") || call.Args.Count(a => !a.StartsWith('-')) <= 1
                ? Verdict.Read("tc.show", "shows traffic control settings") : Verdict.Service("tc.change", "changes traffic shaping"),
            ["ufw"] = call => call.PositionalTexts().FirstOrDefault() switch
            {
                null or "status" or "show" or "version" or "app" when !call.Args.Contains("update") => Verdict.Read("ufw.status", "shows firewall state"),
                "disable" or "reset" => Verdict.Destructive($"ufw.{call.PositionalTexts()[0]}", "turns the firewall off or removes every rule"),
                _ => Verdict.Service("ufw.rule", "changes firewall rules"),
            },
            ["firewall-cmd"] = call => call.Has("--panic-on") ? Verdict.Destructive("firewall-cmd.panic", "drops all network traffic")
                : call.Args.All(a => a.StartsWith("--list", StringComparison.Ordinal) || a.StartsWith("--get", StringComparison.Ordinal) || a.StartsWith("--query", StringComparison.Ordinal) || a.StartsWith("--info", StringComparison.Ordinal) || a is "--state" or "--check-config" or "--version" or "--permanent" || a.StartsWith("--zone", StringComparison.Ordinal))
                    ? Verdict.Read("firewall-cmd.list", "shows firewall state") : Verdict.Service("firewall-cmd.change", "changes firewall rules"),
            ["ethtool"] = call => call.Args.Count <= 1 || call.Args.Any(a => a is "-i" or "-S" or "-k" or "-g" or "-a" or "-c" or "-l" or "-m" or "-T" or "-P" or "--driver" or "--statistics" or "--show-features" or "--show-ring" or "--module-info" || a.StartsWith("--show", StringComparison.Ordinal))
                ? Verdict.Read("ethtool.show", "shows interface settings") : Verdict.Service("ethtool.change", "changes interface settings"),
            ["ifconfig"] = call => call.Args.Contains("down") ? Verdict.Destructive("ifconfig.down", "takes an interface down; connections through it drop")
                : call.Args.Count(a => !a.StartsWith('-')) <= 1 ? Verdict.Read("ifconfig.show", "shows interfaces") : Verdict.Service("ifconfig.change", "changes an interface"),
            ["ifdown"] = call => Verdict.Destructive("ifdown.down", "takes an interface down; connections through it drop"),
            ["ifup"] = call => Verdict.Service("ifup.up", "brings an interface up"),
            ["route"] = call => call.Args.Contains("del") && call.Args.Contains("default") ? Verdict.Destructive("route.delete-default", "removes the default route; the machine may become unreachable")
                : call.Args.Any(a => a is "add" or "del" or "delete" or "flush") ? Verdict.Service("route.change", "changes routes") : Verdict.Read("route.show", "shows routes"),
            ["arp"] = call => call.Args.Any(a => a is "-d" or "-s" or "-f" or "--delete" or "--set" or "--file") ? Verdict.Service("arp.change", "changes the ARP cache") : Verdict.Read("arp.show", "shows the ARP cache"),
            ["sysctl"] = call => call.HasShort('w') || call.HasShort('p') || call.Has("--system", "--load", "--write") || call.PositionalTexts().Any(a => a.Contains('='))
                ? Verdict.Service("sysctl.write", "changes kernel parameters") : Verdict.Read("sysctl.read", "reads kernel parameters"),
            ["conntrack"] = call => call.Has("-F", "--flush", "-D", "--delete") ? Verdict.Destructive("conntrack.flush", "drops tracked connections")
                : call.Has("-U", "--update", "-I", "--create") ? Verdict.Service("conntrack.change", "changes tracked connections") : Verdict.Read("conntrack.list", "lists tracked connections"),
            ["ipvsadm"] = call => call.Has("-C", "--clear") ? Verdict.Destructive("ipvsadm.clear", "removes every virtual server")
                : call.HasShort('L') || call.HasShort('l') || call.HasShort('S') || call.Has("--list", "--save") || call.Args.Count == 0 ? Verdict.Read("ipvsadm.list", "lists virtual servers") : Verdict.Service("ipvsadm.change", "changes virtual servers"),
            ["nmcli"] = Nmcli,
            ["resolvectl"] = call => call.PositionalTexts().FirstOrDefault() is null or "status" or "query" or "statistics" or "service" or "openpgp" or "tlsa" || call.PositionalTexts() is [_, _] && call.PositionalTexts()[0] is "dns" or "domain"
                ? Verdict.Read("resolvectl.show", "shows or queries DNS resolution") : Verdict.Service("resolvectl.change", "changes DNS settings or flushes caches"),
            ["wg"] = call => call.PositionalTexts().FirstOrDefault() is null or "show" or "showconf" or "genkey" or "pubkey" or "genpsk" ? Verdict.Read("wg.show", "shows WireGuard state") : Verdict.Service("wg.change", "changes WireGuard settings"),
            ["wg-quick"] = call => call.Args.FirstOrDefault() == "down" ? Verdict.Destructive("wg-quick.down", "takes a tunnel down") : call.Args.FirstOrDefault() == "strip" ? Verdict.Read("wg-quick.strip", "prints a configuration") : Verdict.Service("wg-quick.up", "brings a tunnel up"),
            ["brctl"] = call => call.Args.FirstOrDefault() is null or "show" or "showmacs" or "showstp" ? Verdict.Read("brctl.show", "shows bridges") : Verdict.Service("brctl.change", "changes bridges"),
        };
        foreach (var name in new[] { "iptables", "ip6tables", "iptables-legacy", "iptables-nft", "ip6tables-legacy", "ip6tables-nft", "ebtables", "arptables" })
            rules[name] = Iptables;
        foreach (var name in new[] { "iptables-save", "ip6tables-save", "iptables-legacy-save", "iptables-nft-save" })
            rules[name] = call => call.Value("-f", "--file") is { } file ? Targets.Write(Shell.ShellWord.Literal(file), "iptables-save", replaces: true) : Verdict.Read("iptables-save.stdout", "prints the firewall rules");
        foreach (var name in new[] { "iptables-restore", "ip6tables-restore", "iptables-legacy-restore", "iptables-nft-restore" })
            rules[name] = call => call.HasShort('t') || call.Has("--test") ? Verdict.Read("iptables-restore.test", "only tests a rule set")
                : call.HasShort('n') || call.Has("--noflush") ? Verdict.Service("iptables-restore.add", "adds rules without flushing")
                : Verdict.Destructive("iptables-restore.replace", "replaces every firewall rule with the file's; the current rules are flushed");
        return rules;
    }

    private static Verdict Iptables(Invocation call)
    {
        var letters = string.Concat(call.Args.Where(a => a.Length > 1 && a[0] == '-' && a[1] != '-' && a.Skip(1).All(char.IsAsciiLetter)).Select(a => a[1..]));
        bool Has(char c, string longName) => letters.Contains(c) || call.Has(longName);
        if (Has('F', "--flush") || Has('X', "--delete-chain"))
            return Verdict.Destructive("iptables.flush", "flushes firewall rules: traffic they blocked gets through and NAT/forwarding they did stops");
        if (Has('P', "--policy"))
        {
            var policy = call.Args.LastOrDefault()?.ToUpperInvariant();
            return policy is "DROP" or "REJECT"
                ? Verdict.Destructive("iptables.policy-drop", "sets a chain's default to drop; anything not allowed, SSH included, is cut off")
                : Verdict.Service("iptables.policy", "changes a chain's default policy");
        }
        if (Has('A', "--append") || Has('I', "--insert") || Has('D', "--delete") || Has('R', "--replace") || Has('N', "--new-chain") || Has('E', "--rename-chain") || Has('Z', "--zero"))
        {
            var target = call.Value("-j", "--jump")?.ToUpperInvariant();
            var selectors = call.Args.Any(a => a is "-s" or "-d" or "-p" or "-i" or "-o" or "-m" or "--dport" or "--sport" or "--source" or "--destination" or "--protocol" or "--in-interface" or "--out-interface" or "--match");
            if (target is "DROP" or "REJECT" && !selectors && !Has('D', "--delete"))
                return Verdict.Destructive("iptables.drop-all", "adds a rule that drops all traffic of a chain");
            return Verdict.Service("iptables.rule", "adds, removes or changes a firewall rule");
        }
        return Verdict.Read("iptables.list", "lists or checks firewall rules");
    }

    private static Verdict Nft(Invocation call)
    {
        var words = call.PositionalTexts("-f", "--file", "-I", "--includepath");
        if (call.Has("-f", "--file")) return call.HasShort('c') || call.Has("--check") ? Verdict.Read("nft.check", "only checks a rule file") : Verdict.Destructive("nft.file", "loads a rule file, which usually starts by flushing the rule set");
        var verb = words.FirstOrDefault() ?? "list";
        return verb switch
        {
            "list" or "monitor" or "describe" or "-v" => Verdict.Read("nft.list", "lists the rule set"),
            "flush" => Verdict.Destructive("nft.flush", $"flushes {string.Join(' ', words.Skip(1))}: traffic the rules filtered is no longer filtered"),
            "delete" or "destroy" when words.ElementAtOrDefault(1) is "table" or "chain" => Verdict.Destructive("nft.delete-table", "deletes a whole table or chain of rules"),
            _ => Verdict.Service("nft.rule", $"nft {verb} changes firewall rules"),
        };
    }

    private static Verdict Ip(Invocation call)
    {
        var words = call.PositionalTexts("-n", "-netns", "-b", "-batch", "-f", "-family", "-rc", "-rcvbuf", "-l", "-loops");
        if (call.Has("-b", "-batch", "-force")) return Verdict.Unknown("ip.batch", "runs ip commands from a file or input the classifier cannot see");
        var obj = words.FirstOrDefault() ?? "help";
        var verb = words.ElementAtOrDefault(1) ?? "show";
        if (obj == "netns" && verb == "exec" && words.Count > 3)
        {
            var indexes = call.PositionalIndexes("-n", "-netns", "-b", "-batch", "-f", "-family", "-rc", "-rcvbuf", "-l", "-loops");
            var inner = call.Words.Skip(indexes[3]).ToList();
            call.Session.Run(inner, call.Redirections, call.Stdin, [.. call.Via, $"ip netns exec {words[2]}"]);
            return Verdict.Read("ip.netns-exec", "runs a command in a network namespace (judged on its own)");
        }
        if (IpShowVerbs.Contains(verb) || obj is "monitor" or "help") return Verdict.Read($"ip.{obj}-show", $"shows {obj} state");
        if (verb == "flush") return Verdict.Destructive($"ip.{obj}-flush", $"flushes every {obj} entry; the machine may lose connectivity");
        if (obj is "link" or "l" && verb == "set" && words.Contains("down"))
            return Verdict.Destructive("ip.link-down", $"takes {words.ElementAtOrDefault(2) ?? "an interface"} down; connections through it drop");
        if (obj is "link" or "l" && verb is "del" or "delete") return Verdict.Destructive("ip.link-delete", "deletes a network interface");
        if (obj is "route" or "r" or "ro" && verb is "del" or "delete" && words.Contains("default"))
            return Verdict.Destructive("ip.route-delete-default", "removes the default route; the machine may become unreachable");
        return Verdict.Service($"ip.{obj}-{verb}", $"ip {obj} {verb} changes network configuration");
    }

    private static Verdict Nmcli(Invocation call)
    {
        var words = call.PositionalTexts("-f", "--fields", "-g", "--get-values", "-m", "--mode", "-c", "--colors", "-e", "--escape", "-w", "--wait");
        var obj = words.FirstOrDefault() ?? "general";
        var verb = words.ElementAtOrDefault(1) ?? "show";
        if (verb is "show" or "status" or "list" or "connectivity" or "permissions" or "hostname" or "logging" or "monitor" or "wifi" && words.Count <= 2 || obj is "monitor" or "-v" or "--version")
            return Verdict.Read($"nmcli.{obj}-show", "shows network manager state");
        if (verb is "down" or "delete" or "disconnect" or "off" || obj is "networking" or "n" && verb == "off")
            return Verdict.Destructive($"nmcli.{obj}-{verb}", "takes a connection or the network down; the machine may become unreachable");
        return Verdict.Service($"nmcli.{obj}-{verb}", "changes network manager settings");
    }
}
