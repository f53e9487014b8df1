using Opsmith.Core.Skills;
using Opsmith.Policy.Classification;

namespace Opsmith.Policy.Tests.Classification;

/// <summary>Services, processes, disks, network and packages.</summary>
public sealed class SystemRuleTests
{
    [Theory]
    [InlineData("systemctl status nginx", RiskTier.Read, "systemctl.status")]
    [InlineData("systemctl --no-pager list-units --failed", RiskTier.Read, "systemctl.list-units")]
    [InlineData("systemctl", RiskTier.Read, "systemctl.list-units")]
    [InlineData("systemctl restart nginx", RiskTier.ServiceMutation, "systemctl.restart")]
    [InlineData("systemctl stop postgresql", RiskTier.ServiceMutation, "systemctl.stop")]
    [InlineData("systemctl daemon-reload", RiskTier.ServiceMutation, "systemctl.daemon-reload")]
    [InlineData("systemctl kill -s KILL api", RiskTier.Destructive, "systemctl.kill")]
    [InlineData("systemctl reboot", RiskTier.Destructive, "systemctl.reboot")]
    [InlineData("systemctl clean --what=state redis", RiskTier.DataMutation, "systemctl.clean-state")]
    [InlineData("service nginx reload", RiskTier.ServiceMutation, "service.reload")]
    [InlineData("service nginx status", RiskTier.Read, "service.status")]
    [InlineData("reboot", RiskTier.Destructive, "power.reboot")]
    [InlineData("shutdown -c", RiskTier.ServiceMutation, "power.cancel")]
    [InlineData("nginx -t", RiskTier.Read, "nginx.check")]
    [InlineData("nginx -s reload", RiskTier.ServiceMutation, "nginx.reload")]
    public void Services(string command, RiskTier tier, string rule) => Expect.Tier(command, tier, rule);

    [Theory]
    [InlineData("kill -0 123", RiskTier.Read, "kill.probe")]
    [InlineData("kill -l", RiskTier.Read, "kill.list")]
    [InlineData("kill -HUP 123", RiskTier.ServiceMutation, "kill.signal-hup")]
    [InlineData("kill -s USR1 123", RiskTier.ServiceMutation, "kill.signal-usr1")]
    [InlineData("pkill -HUP nginx", RiskTier.ServiceMutation, "pkill.signal-hup")]
    [InlineData("kill 123", RiskTier.Destructive, "kill.terminate")]
    [InlineData("kill -9 123", RiskTier.Destructive, "kill.terminate")]
    [InlineData("kill -SIGKILL 123", RiskTier.Destructive, "kill.terminate")]
    [InlineData("pkill -f 'celery worker'", RiskTier.Destructive, "pkill.terminate")]
    [InlineData("killall -9 java", RiskTier.Destructive, "killall.terminate")]
    public void Processes(string command, RiskTier tier, string rule) => Expect.Tier(command, tier, rule);

    [Theory]
    [InlineData("dd if=/dev/sda bs=512 count=1 | xxd", RiskTier.Read, "dd.stdout")]
    [InlineData("dd if=/dev/zero of=/tmp/blob bs=1M count=10", RiskTier.Read, "dd.temp-path")]
    [InlineData("dd if=/dev/zero of=/dev/sdb bs=1M", RiskTier.DataMutation, "dd.disk-device")]
    [InlineData("dd if=x.img of=\"/dev/nvme0n1\"", RiskTier.DataMutation, "dd.disk-device")]
    [InlineData("mkfs.ext4 /dev/sdb1", RiskTier.DataMutation, "mkfs.format")]
    [InlineData("wipefs /dev/sdb", RiskTier.Read, "wipefs.list")]
    [InlineData("wipefs -a /dev/sdb", RiskTier.DataMutation, "wipefs.erase")]
    [InlineData("wipefs -a -n /dev/sdb", RiskTier.Read, "wipefs.list")]
    [InlineData("fdisk -l /dev/sda", RiskTier.Read, "fdisk.list")]
    [InlineData("parted /dev/sda print", RiskTier.Read, "parted.list")]
    [InlineData("parted -s /dev/sda rm 1", RiskTier.DataMutation, "parted.partition")]
    [InlineData("shred -u /tmp/secret.txt", RiskTier.Read, "shred.temp-path")]
    [InlineData("shred /dev/sdb", RiskTier.DataMutation, "shred.data")]
    [InlineData("zfs list", RiskTier.Read, "zfs.list")]
    [InlineData("zfs destroy tank/db", RiskTier.DataMutation, "zfs.destroy")]
    [InlineData("lvremove /dev/vg0/lv", RiskTier.DataMutation, "lvm.remove")]
    [InlineData("umount /mnt/data", RiskTier.ServiceMutation, "umount.unmount")]
    public void Disks(string command, RiskTier tier, string rule) => Expect.Tier(command, tier, rule);

    [Theory]
    [InlineData("iptables -nvL", RiskTier.Read, "iptables.list")]
    [InlineData("iptables -A INPUT -p tcp --dport 22 -j ACCEPT", RiskTier.ServiceMutation, "iptables.rule")]
    [InlineData("iptables -A INPUT -s 10.0.0.9 -j DROP", RiskTier.ServiceMutation, "iptables.rule")]
    [InlineData("iptables -F INPUT", RiskTier.Destructive, "iptables.flush")]
    [InlineData("ip6tables -P INPUT DROP", RiskTier.Destructive, "iptables.policy-drop")]
    [InlineData("nft list ruleset", RiskTier.Read, "nft.list")]
    [InlineData("nft add rule inet filter input tcp dport 80 accept", RiskTier.ServiceMutation, "nft.rule")]
    [InlineData("nft flush ruleset", RiskTier.Destructive, "nft.flush")]
    [InlineData("ip -br addr", RiskTier.Read, "ip.addr-show")]
    [InlineData("ip route get 1.1.1.1", RiskTier.Read, "ip.route-show")]
    [InlineData("ip addr add 10.0.0.5/24 dev eth0", RiskTier.ServiceMutation, "ip.addr-add")]
    [InlineData("ip link set eth0 down", RiskTier.Destructive, "ip.link-down")]
    [InlineData("ip netns exec blue iptables -F", RiskTier.Destructive, "iptables.flush")]
    [InlineData("tc qdisc show dev eth0", RiskTier.Read, "tc.show")]
    [InlineData("tc qdisc add dev eth0 root netem delay 100ms", RiskTier.ServiceMutation, "tc.change")]
    [InlineData("ufw allow 443/tcp", RiskTier.ServiceMutation, "ufw.rule")]
    [InlineData("ufw disable", RiskTier.Destructive, "ufw.disable")]
    [InlineData("sysctl -w net.ipv4.ip_forward=1", RiskTier.ServiceMutation, "sysctl.write")]
    [InlineData("sysctl net.ipv4.ip_forward", RiskTier.Read, "sysctl.read")]
    public void Network(string command, RiskTier tier, string rule) => Expect.Tier(command, tier, rule);

    [Theory]
    [InlineData("apt-get install -y nginx", RiskTier.ServiceMutation, "apt-get.install")]
    [InlineData("apt-get -s upgrade", RiskTier.Read, "apt-get.query")]
    [InlineData("apt purge -y nginx", RiskTier.Destructive, "apt.remove")]
    [InlineData("dnf -y update openssl", RiskTier.ServiceMutation, "dnf.update")]
    [InlineData("yum remove httpd", RiskTier.Destructive, "yum.remove")]
    [InlineData("rpm -qa", RiskTier.Read, "rpm.query")]
    [InlineData("rpm -Uvh x.rpm", RiskTier.ServiceMutation, "rpm.install")]
    [InlineData("pip install -r requirements.txt", RiskTier.ServiceMutation, "pip.install")]
    [InlineData("python3 -m pip uninstall -y requests", RiskTier.Destructive, "pip.remove")]
    [InlineData("dpkg -r nginx", RiskTier.Destructive, "dpkg.remove")]
    public void Packages(string command, RiskTier tier, string rule) => Expect.Tier(command, tier, rule);

    [Theory]
    [InlineData("openssl x509 -in c.pem -noout -text", RiskTier.Read, "openssl.x509")]
    [InlineData("openssl req -new -key k.pem -out /etc/ssl/req.csr", RiskTier.ServiceMutation, "openssl.write-system-path")]
    [InlineData("openssl genrsa -out /tmp/k.pem 2048", RiskTier.Read, "openssl.temp-path")]
    [InlineData("crontab -l", RiskTier.Read, "crontab.list")]
    [InlineData("crontab /tmp/new.cron", RiskTier.Destructive, "crontab.replace")]
    [InlineData("crontab -r", RiskTier.Destructive, "crontab.remove-all")]
    [InlineData("journalctl -u x --vacuum-size=100M", RiskTier.Destructive, "journalctl.vacuum")]
    [InlineData("journalctl -u nginx -n 50", RiskTier.Read, "journalctl.read")]
    [InlineData("git pull --ff-only", RiskTier.ServiceMutation, "git.pull")]
    [InlineData("git reset --hard", RiskTier.Destructive, "git.reset-hard")]
    [InlineData("date +%s", RiskTier.Read, "date.read")]
    [InlineData("date -s '2024-01-01 00:00'", RiskTier.ServiceMutation, "date.set")]
    [InlineData("hostname web-2", RiskTier.ServiceMutation, "hostname.set")]
    public void System_tools(string command, RiskTier tier, string rule) => Expect.Tier(command, tier, rule);

    [Fact]
    public void Unknown_programs_are_destructive_and_uncertain_unless_declared_read()
    {
        Expect.Destructive("acme-healthcheck --verbose", "unknown-program");
        Assert.True(Expect.Classify("acme-healthcheck --verbose").Uncertain);
        var options = new ClassifierOptions(new Dictionary<string, string> { ["acme-healthcheck"] = "queries the local status page only" });
        var result = new CommandClassifier(options).Classify("acme-healthcheck --verbose");
        Assert.Equal(RiskTier.Read, result.Tier);
        Assert.Equal("declared-read", result.DecidingRule);
        Assert.Contains("queries the local status page only", result.Decisive!.Reason);
    }

    [Fact]
    public void A_declaration_never_overrides_a_rule()
    {
        var options = new ClassifierOptions(new Dictionary<string, string> { ["rm"] = "trust me" });
        var result = new CommandClassifier(options).Classify("rm -rf /etc");
        Assert.Equal(RiskTier.Destructive, result.Tier);
    }
}
