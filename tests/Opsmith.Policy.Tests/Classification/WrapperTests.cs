namespace Opsmith.Policy.Tests.Classification;

/// <summary>Wrappers are peeled to what they run, so the rule of the real program decides.</summary>
public sealed class WrapperTests
{
    [Theory]
    [InlineData("sudo -u postgres psql -c 'DROP DATABASE x'")]
    [InlineData("sudo -E -H -u root -- psql -c 'DROP DATABASE x'")]
    [InlineData("sudo -iu postgres psql -c 'DROP DATABASE x'")]
    [InlineData("doas -u postgres psql -c 'DROP DATABASE x'")]
    [InlineData("env -i PGHOST=db psql -c 'DROP DATABASE x'")]
    [InlineData("env -u HOME -C /tmp psql -c 'DROP DATABASE x'")]
    [InlineData("nice -n 10 psql -c 'DROP DATABASE x'")]
    [InlineData("ionice -c 3 psql -c 'DROP DATABASE x'")]
    [InlineData("timeout -s KILL 30s psql -c 'DROP DATABASE x'")]
    [InlineData("nohup psql -c 'DROP DATABASE x'")]
    [InlineData("stdbuf -oL psql -c 'DROP DATABASE x'")]
    [InlineData("chroot /srv/jail psql -c 'DROP DATABASE x'")]
    [InlineData("flock -w 10 /run/lock/db psql -c 'DROP DATABASE x'")]
    [InlineData("exec psql -c 'DROP DATABASE x'")]
    [InlineData("command psql -c 'DROP DATABASE x'")]
    [InlineData("builtin command psql -c 'DROP DATABASE x'")]
    [InlineData("time psql -c 'DROP DATABASE x'")]
    [InlineData("watch -x psql -c 'DROP DATABASE x'")]
    [InlineData("setsid -f psql -c 'DROP DATABASE x'")]
    [InlineData("taskset -c 0,1 psql -c 'DROP DATABASE x'")]
    [InlineData("systemd-run --scope psql -c 'DROP DATABASE x'")]
    [InlineData("runuser -u postgres -- psql -c 'DROP DATABASE x'")]
    [InlineData("/usr/bin/sudo /usr/bin/psql -c 'DROP DATABASE x'")]
    public void Wrapped_programs_are_judged_by_their_own_rule(string command) => Expect.Data(command, "sql.drop");

    [Theory]
    [InlineData("sh -c 'rm -rf /var/lib/mysql'")]
    [InlineData("bash -lc \"rm -rf /var/lib/mysql\"")]
    [InlineData("bash -ec 'set -x; rm -rf /var/lib/mysql'")]
    [InlineData("sudo sh -c 'cd / && rm -rf /var/lib/mysql'")]
    [InlineData("su - root -c 'rm -rf /var/lib/mysql'")]
    [InlineData("su -c 'rm -rf /var/lib/mysql' mysql")]
    [InlineData("flock /tmp/l -c 'rm -rf /var/lib/mysql'")]
    [InlineData("watch -n 60 rm -rf /var/lib/mysql")]
    [InlineData("ssh -p 2222 -i key root@db1 rm -rf /var/lib/mysql")]
    [InlineData("ssh db1 'sudo sh -c \"rm -rf /var/lib/mysql\"'")]
    [InlineData("env -S 'rm -rf /var/lib/mysql'")]
    [InlineData("bash <<'EOF'\nset -e\nrm -rf /var/lib/mysql\nEOF")]
    [InlineData("sh <<< 'rm -rf /var/lib/mysql'")]
    [InlineData("echo 'rm -rf /var/lib/mysql' | sh")]
    [InlineData("printf 'rm -rf /var/lib/mysql\\n' | bash")]
    [InlineData("sh -c \"sh -c 'sh -c \\\"rm -rf /var/lib/mysql\\\"'\"")]
    public void Shell_text_is_read_recursively(string command) => Expect.Data(command, "rm.data-path");

    [Fact]
    public void A_finding_records_what_it_was_found_inside()
    {
        var finding = Expect.Classify("sudo -u root bash -c \"ssh db1 'rm -rf /var/lib/mysql'\"").Decisive!;
        Assert.Equal("rm", finding.Program);
        Assert.Equal(["sudo -u root", "bash -c", "ssh db1"], finding.Via);
    }

    [Fact]
    public void Xargs_runs_its_command_with_arguments_known_only_at_run_time()
    {
        Expect.Destructive("find . -name '*.bak' | xargs rm -f", "rm.unknown-path");
        Expect.Data("redis-cli --scan --pattern 'tmp:*' | xargs redis-cli del", "redis.del");
        Expect.Read("cat hosts | xargs -n1 dig +short");
        Expect.Read("xargs < /tmp/list", "xargs.echo");
    }

    [Fact]
    public void Xargs_replace_strings_become_unknown_parts_of_their_word() =>
        Expect.Data("ls | xargs -I{} rm -rf /var/lib/postgresql/{}", "rm.data-path");

    [Fact]
    public void Wrappers_without_a_command_are_judged_themselves()
    {
        Expect.Read("sudo -l", "sudo.no-command");
        Expect.Read("env", "env.print");
        Expect.Read("command -v kubectl", "command.lookup");
        Expect.Read("exec 3>&1", "exec.redirect-only");
        Expect.Destructive("sudo -i", "opaque.interactive-shell");
        Expect.Destructive("su - deploy", "opaque.interactive-shell");
        Expect.Service("ionice -c3 -p 1234", "ionice.existing-process");
    }

    [Fact]
    public void Environment_prefixes_that_inject_code_are_opaque()
    {
        Expect.Destructive("LD_PRELOAD=/tmp/x.so ls", "opaque.environment");
        Expect.Destructive("env LD_PRELOAD=/tmp/x.so ls", "opaque.environment");
        Expect.Destructive("BASH_ENV=/tmp/x bash -c true", "opaque.environment");
        Expect.Read("LANG=C ls -la");
    }

    [Fact]
    public void Find_exec_runs_its_command_on_what_matches_under_each_root()
    {
        Expect.Data("find /var/lib/postgresql -name '*.conf' -exec rm {} +", "rm.data-path");
        Expect.Read("find /etc -name '*.conf' -exec grep -l listen {} \\;");
        Expect.Destructive("find /opt/app -exec sh -c 'rm -rf \"$1\"' _ {} \\;");
    }

    [Fact]
    public void Kubectl_and_docker_exec_judge_the_command_inside_the_container()
    {
        Expect.Read("kubectl exec -n prod api-0 -c app -- cat /etc/hosts");
        Expect.Data("kubectl exec redis-0 -- redis-cli FLUSHALL", "redis.flushall");
        Expect.Read("docker exec -it -u postgres db psql -c 'SELECT 1'");
        Expect.Data("docker compose exec db psql -U app -c 'TRUNCATE t'", "sql.truncate");
    }

    [Fact]
    public void An_interactive_shell_in_a_database_container_is_data_mutation()
    {
        Expect.Data("kubectl exec -it postgres-0 -- bash", "kubectl.exec-database-shell");
        Expect.Data("docker exec -it mysql sh", "docker.exec-database-shell");
        Expect.Destructive("kubectl exec -it web-0 -- sh", "opaque.interactive-shell");
    }

    [Fact]
    public void Functions_defined_on_the_line_are_judged_by_their_bodies()
    {
        Expect.Read("check() { systemctl is-active nginx; }; check", "systemctl.is-active");
        Expect.Destructive("rm() { :; }; command rm -rf /opt/app");
    }
}
