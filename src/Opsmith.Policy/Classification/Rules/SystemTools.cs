using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// System administration that reads unless asked to change something: openssl, crontab, journalctl,
/// logrotate, dmesg, date, hostname, timedatectl, loginctl, tcpdump, users and groups, at, certbot, modules.
/// </summary>
internal static class SystemTools
{
    public static readonly Dictionary<string, Func<Invocation, Verdict>> Rules = BuildRules();

    private static Dictionary<string, Func<Invocation, Verdict>> BuildRules()
    {
        var rules = new Dictionary<string, Func<Invocation, Verdict>>
        {
            ["openssl"] = Openssl,
            ["crontab"] = Crontab,
            ["journalctl"] = call => call.Args.Any(a => a.StartsWith("--vacuum", StringComparison.Ordinal)) ? Verdict.Destructive("journalctl.vacuum", "deletes archived journal files; those logs are gone")
                : call.Has("--rotate", "--flush", "--relinquish-var", "--smart-relinquish-var", "--setup-keys", "--update-catalog", "--sync") ? Verdict.Service("journalctl.maintain", "rotates or flushes the journal")
                : Verdict.Read("journalctl.read", "reads the journal"),
            ["logrotate"] = call => call.HasShort('d') || call.Has("--debug") ? Verdict.Read("logrotate.debug", "only shows what it would do")
                : Verdict.Destructive("logrotate.rotate", $"rotates logs{(call.HasShort('f') || call.Has("--force") ? " now (--force)" : "")}; the oldest rotations are deleted"),
            ["dmesg"] = call => call.HasShort('c') || call.HasShort('C') || call.Has("--clear", "--read-clear") ? Verdict.Destructive("dmesg.clear", "clears the kernel log")
                : call.HasShort('n') || call.HasShort('D') || call.HasShort('E') || call.Has("--console-level", "--console-off", "--console-on") ? Verdict.Service("dmesg.console", "changes console logging")
                : Verdict.Read("dmesg.read", "reads the kernel log"),
            ["date"] = call => call.Has("-s", "--set") || call.PositionalTexts("-d", "--date", "-f", "--file", "-r", "--reference", "-I").Any(a => !a.StartsWith('+'))
                ? Verdict.Service("date.set", "sets the system clock") : Verdict.Read("date.read", "prints the date"),
            ["hostname"] = call => call.PositionalTexts().Count > 0 || call.Has("-F", "--file", "-b", "--boot") ? Verdict.Service("hostname.set", "changes the host name") : Verdict.Read("hostname.read", "prints the host name"),
            ["hostnamectl"] = call => call.PositionalTexts().FirstOrDefault() is { } verb && (verb.StartsWith("set-", StringComparison.Ordinal) || verb is "hostname" or "icon-name" or "chassis" or "deployment" or "location" && call.PositionalTexts().Count > 1)
                ? Verdict.Service("hostnamectl.set", "changes the host name or machine information") : Verdict.Read("hostnamectl.status", "shows host information"),
            ["timedatectl"] = call => call.PositionalTexts().FirstOrDefault()?.StartsWith("set-", StringComparison.Ordinal) == true
                ? Verdict.Service("timedatectl.set", "changes time, time zone or NTP settings") : Verdict.Read("timedatectl.status", "shows time settings"),
            ["loginctl"] = call => call.PositionalTexts().FirstOrDefault() switch
            {
                null => Verdict.Read("loginctl.list", "lists sessions"),
                var v when v.StartsWith("terminate-", StringComparison.Ordinal) || v.StartsWith("kill-", StringComparison.Ordinal) => Verdict.Destructive($"loginctl.{v}", "ends user sessions and their processes"),
                var v when v.StartsWith("list-", StringComparison.Ordinal) || v.StartsWith("show-", StringComparison.Ordinal) || v.EndsWith("-status", StringComparison.Ordinal) => Verdict.Read($"loginctl.{v}", "shows sessions"),
                var v => Verdict.Service($"loginctl.{v}", "changes sessions or lingering"),
            },
            ["tcpdump"] = call => call.Value("-z") is not null ? Verdict.Destructive("opaque.tcpdump-postrotate", "runs a command on each rotated capture file")
                : call.Value("-w") is { } file && file != "-" ? Targets.Write(ShellWord.Literal(file), "tcpdump", replaces: true) : Verdict.Read("tcpdump.read", "captures packets to standard output"),
            ["at"] = At,
            ["batch"] = At,
            ["atq"] = call => Verdict.Read("at.list", "lists queued jobs"),
            ["atrm"] = call => Verdict.Service("at.remove", "removes queued jobs"),
            ["certbot"] = call => call.Has("--dry-run") || call.PositionalTexts().FirstOrDefault() is "certificates" or "plugins" ? Verdict.Read("certbot.read", "lists certificates or only tests")
                : call.PositionalTexts().FirstOrDefault() is "delete" or "revoke" or "unregister" ? Verdict.Destructive("certbot.revoke", "revokes or deletes certificates")
                : Verdict.Service("certbot.issue", "obtains, renews or installs certificates"),
            ["ssh-keygen"] = call => call.HasShort('l') || call.HasShort('L') || call.HasShort('y') || call.HasShort('F') || call.HasShort('Q') ? Verdict.Read("ssh-keygen.read", "shows keys or fingerprints")
                : call.HasShort('R') || call.HasShort('H') ? Verdict.Service("ssh-keygen.known-hosts", "edits known_hosts")
                : call.Value("-f") is { } key ? Targets.Write(ShellWord.Literal(key), "ssh-keygen", replaces: true) : Verdict.Service("ssh-keygen.generate", "creates a key pair"),
            ["hwclock"] = call => call.Has("-w", "--systohc", "-s", "--hctosys", "--set", "--adjust") ? Verdict.Service("hwclock.set", "sets a clock") : Verdict.Read("hwclock.read", "reads the hardware clock"),
            ["ntpdate"] = call => call.HasShort('q') ? Verdict.Read("ntpdate.query", "only queries") : Verdict.Service("ntpdate.set", "sets the clock"),
            ["chronyc"] = call => call.PositionalTexts("-h", "-p").FirstOrDefault() is null or "tracking" or "sources" or "sourcestats" or "activity" or "clients" or "serverstats" or "ntpdata" or "rtcdata" or "waitsync" or "selectdata" or "authdata"
                ? Verdict.Read("chronyc.read", "shows time synchronisation") : Verdict.Service("chronyc.change", "changes time synchronisation"),
            ["modprobe"] = call => call.HasShort('n') || call.HasShort('c') || call.Has("--dry-run", "--show-depends", "--showconfig", "--show") ? Verdict.Read("modprobe.show", "only shows")
                : Verdict.Service(call.HasShort('r') || call.Has("--remove") ? "modprobe.remove" : "modprobe.load", "loads or unloads kernel modules"),
            ["efibootmgr"] = call => call.Args.All(a => a is "-v" or "--verbose") ? Verdict.Read("efibootmgr.list", "lists boot entries") : Verdict.Destructive("efibootmgr.change", "changes firmware boot entries; a mistake leaves the machine unbootable"),
            ["grub-install"] = call => Verdict.Destructive("grub.install", "rewrites the boot loader; a mistake leaves the machine unbootable"),
            ["ldconfig"] = call => call.HasShort('p') ? Verdict.Read("ldconfig.print", "prints the library cache") : Verdict.Service("ldconfig.update", "rebuilds the library cache"),
            ["passwd"] = call => call.HasShort('S') || call.Has("--status") ? Verdict.Read("passwd.status", "shows password status")
                : call.HasShort('d') || call.Has("--delete") ? Verdict.Destructive("passwd.delete", "removes a password; the account may be open to anyone") : Verdict.Service("passwd.change", "changes a password or locks an account"),
            ["userdel"] = call => Verdict.Destructive("account.delete", $"deletes an account{(call.HasShort('r') || call.Has("--remove") ? " and its home directory" : "")}"),
            ["deluser"] = call => Verdict.Destructive("account.delete", $"deletes an account{(call.Has("--remove-home", "--remove-all-files") ? " and its files" : "")}"),
            ["groupdel"] = call => Verdict.Destructive("account.delete-group", "deletes a group"),
            ["delgroup"] = call => Verdict.Destructive("account.delete-group", "deletes a group"),
            ["chage"] = call => call.HasShort('l') || call.Has("--list") ? Verdict.Read("chage.list", "shows password ageing") : Verdict.Service("chage.change", "changes password ageing"),
        };
        foreach (var name in new[] { "useradd", "adduser", "usermod", "groupadd", "addgroup", "groupmod", "gpasswd", "chpasswd", "chsh", "chfn", "newusers" })
            rules[name] = call => Verdict.Service($"account.{call.Program}", $"{call.Program} changes accounts or groups");
        foreach (var name in new[] { "update-grub", "grub-mkconfig", "update-initramfs", "dracut", "mkinitcpio", "depmod", "update-ca-certificates", "locale-gen", "insmod", "rmmod", "setenforce", "setsebool", "semanage", "aa-enforce", "aa-complain", "auditctl" })
            rules[name] = call => call.Program == "auditctl" && call.HasShort('l') || call.Program == "semanage" && call.Args.Contains("-l") ? Verdict.Read($"{call.Program}.list", "lists settings") : Verdict.Service($"{call.Program}.change", $"{call.Program} changes system configuration");
        return rules;
    }

    /// <summary>openssl reads unless it writes a file with -out (keys, certificates, requests).</summary>
    private static Verdict Openssl(Invocation call)
    {
        var sub = call.Args.FirstOrDefault() ?? "help";
        if (sub is "s_client")
        {
            // echo | openssl s_client -connect host:443 only shakes hands; anything else typed in is sent to the server.
            var connect = call.Value("-connect") ?? call.PositionalTexts("-connect", "-servername", "-CAfile", "-cert", "-key", "-starttls", "-proxy", "-port", "-host").FirstOrDefault() ?? "";
            var sent = call.Stdin.Text?.Trim();
            if (call.Stdin.Kind == StdinKind.None || call.Stdin.Kind == StdinKind.File && call.Stdin.File?.Text == "/dev/null" || sent is "" or "Q" or "QUIT")
                return Verdict.Read("openssl.s_client", "opens a TLS connection and shows the certificate");
            return RawProtocol.Judge("openssl-s_client", call.Stdin.Text, call.Stdin.Kind == StdinKind.File ? StdinKind.Pipe : call.Stdin.Kind, RawProtocol.Port(connect));
        }
        if (sub is "s_server" or "ocsp" && call.Args.Contains("-port") || sub == "s_server")
            return Listener.OnLoopback(call.Args) ? Verdict.Service("openssl.server", "starts a TLS server on the loopback address")
                : Verdict.Destructive("openssl.server-all-addresses", "starts a TLS server on every address: anyone who can reach the host can connect");
        var outputs = call.Values("-out", "-keyout", "-signkey-out").Where(o => o != "-").ToList();
        if (sub == "ca") return Verdict.Service("openssl.ca", "signs certificates and updates the CA database");
        return Targets.Worst(outputs.Select(o => Targets.Write(ShellWord.Literal(o), "openssl", replaces: true)), Verdict.Read($"openssl.{sub}", $"openssl {sub} only reads or prints"));
    }

    private static Verdict Crontab(Invocation call)
    {
        if (call.HasShort('l')) return Verdict.Read("crontab.list", "lists cron jobs");
        if (call.HasShort('r')) return Verdict.Destructive("crontab.remove-all", "removes every cron job of the user, with no copy kept");
        if (call.HasShort('e')) return Verdict.Service("crontab.edit", "edits cron jobs");
        if (call.Stdin.Text is { } table)
        {
            foreach (var line in table.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.Split(' ')[0].Contains('=')))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var skip = fields[0].StartsWith('@') ? 1 : 5;
                if (fields.Length > skip) call.Session.Script(string.Join(' ', fields.Skip(skip)), [.. call.Via, "crontab"]);
            }
            return Verdict.Destructive("crontab.replace", "replaces the user's whole crontab (the old jobs are lost); the new jobs are judged on their own");
        }
        return Verdict.Unknown("crontab.replace", "replaces the user's whole crontab with jobs from a file or input the classifier cannot see; they run later, and the old jobs are lost");
    }

    /// <summary>at TIME reads the commands to run later from standard input (or -f FILE); they are judged now.</summary>
    private static Verdict At(Invocation call)
    {
        if (call.HasShort('l') || call.HasShort('c')) return Verdict.Read("at.list", "lists or prints queued jobs");
        if (call.HasShort('r') || call.HasShort('d')) return Verdict.Service("at.remove", "removes queued jobs");
        if (call.Value("-f") is { } file) return Verdict.Unknown("at.script-file", $"schedules the script {file}, which is not read here");
        if (call.Stdin.Text is { } text)
        {
            call.Session.Script(text, [.. call.Via, "at"]);
            return Verdict.Service("at.schedule", "schedules commands (judged on their own)");
        }
        return call.Stdin.Kind == StdinKind.Pipe ? Opaque.PipeToShell(call.Stdin, "at") : Verdict.Service("at.schedule", "schedules commands typed at the prompt");
    }
}
