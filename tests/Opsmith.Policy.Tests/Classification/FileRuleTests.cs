namespace Opsmith.Policy.Tests.Classification;

public sealed class FileRuleTests
{
    [Theory]
    [InlineData("rm -f /tmp/opsmith-report.txt", "rm.temp-path")]
    [InlineData("rm -rf /var/tmp/build-123", "rm.temp-path")]
    public void Removing_temporary_files_is_read(string command, string rule) => Expect.Read(command, rule);

    [Theory]
    [InlineData("rm -rf /tmp", "rm.temp-root")]
    [InlineData("rm -rf /tmp/*", "rm.temp-root")]
    [InlineData("rm -rf /tmp/$NAME", "rm.temp-root")]
    [InlineData("rm -rf /tmp/../etc/nginx", "rm.recursive-system-path")]
    [InlineData("rm -rf /etc", "rm.recursive-system-path")]
    [InlineData("rm /etc/nginx/sites-enabled/default", "rm.system-path")]
    [InlineData("rm /var/log/syslog.1", "rm.logs")]
    [InlineData("rm -rf build/", "rm.file")]
    [InlineData("rm -rf \"$DIR\"", "rm.unknown-path")]
    public void Removing_other_files_is_destructive(string command, string rule) => Expect.Destructive(command, rule);

    [Theory]
    [InlineData("rm -rf /var/lib/postgresql/14/main")]
    [InlineData("rm -f /srv/app/db/production.sqlite3")]
    [InlineData("rm -rf /var/lib/*")]
    [InlineData("rm -rf /")]
    [InlineData("rm -rf /opt/app/data")]
    [InlineData("unlink /var/lib/redis/dump.rdb")]
    public void Removing_data_directories_is_data_mutation(string command) => Expect.Data(command, "rm.data-path");

    [Fact]
    public void Removing_backups_is_data_mutation_but_writing_one_is_not()
    {
        Expect.Data("rm -rf /var/backups/postgres", "rm.backup");
        Expect.Service("pg_dump app > /var/backups/app.sql", "redirect.write-backup");
    }

    [Theory]
    [InlineData("echo hi > /tmp/x", "redirect.temp-path")]
    [InlineData("ls 2>/dev/null", "redirect.temp-path")]
    [InlineData("tee /tmp/df.txt", "tee.temp-path")]
    [InlineData("cp /etc/nginx/nginx.conf /tmp/nginx.conf.bak", "cp.temp-path")]
    [InlineData("ps aux &> /proc/self/fd/1", "redirect.temp-path")]
    public void Writing_to_temporary_paths_is_read(string command, string rule) => Expect.Read(command, rule);

    [Theory]
    [InlineData("echo x > /etc/passwd", "redirect.critical-system-file")]
    [InlineData("echo 'x ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers.d/x", "redirect.critical-system-file")]
    [InlineData("echo key >> /home/deploy/.ssh/authorized_keys", "redirect.critical-system-file")]
    [InlineData(": > /var/log/nginx/access.log", "redirect.truncate-log")]
    [InlineData("truncate -s 0 /var/log/syslog", "truncate.truncate-log")]
    [InlineData("echo 1 > $TARGET", "redirect.unknown-target")]
    [InlineData("cp evil /usr/bin/ls", "cp.critical-system-file")]
    public void Overwriting_system_files_and_logs_is_destructive(string command, string rule) => Expect.Destructive(command, rule);

    [Theory]
    [InlineData("echo 'vm.swappiness=10' >> /etc/sysctl.conf", "redirect.write-system-path")]
    [InlineData("cp site.conf /etc/nginx/conf.d/site.conf", "cp.write-system-path")]
    [InlineData("mv /etc/nginx/conf.d/a.conf /etc/nginx/conf.d/a.conf.off", "mv.move")]
    [InlineData("echo done >> /var/log/deploy.log", "redirect.append-log")]
    [InlineData("mkdir -p /opt/app/releases/42", "mkdir.create")]
    [InlineData("touch /etc/nologin", "touch.create")]
    [InlineData("ls > out.txt", "redirect.write-file")]
    [InlineData("sed -i 's/a/b/' /etc/nginx/nginx.conf", "sed-in-place.write-system-path")]
    [InlineData("chown -R www-data /var/www/html", "chown.permissions")]
    public void Changing_ordinary_files_is_service_mutation(string command, string rule) => Expect.Service(command, rule);

    [Theory]
    [InlineData(": > /var/lib/postgresql/14/main/postmaster.pid", "redirect.data-path")]
    [InlineData("cp /tmp/x /var/lib/mysql/ibdata1", "cp.data-path")]
    [InlineData("mv /var/lib/mysql /var/lib/mysql.old", "mv.data-path")]
    [InlineData("tee /var/lib/redis/dump.rdb < /dev/null", "tee.data-path")]
    [InlineData("rsync -a --delete /tmp/empty/ /var/lib/postgresql/", "rsync.data-path")]
    public void Writing_into_data_directories_is_data_mutation(string command, string rule) => Expect.Data(command, rule);

    [Theory]
    [InlineData("chmod -R 777 /", "chmod.recursive-system-path")]
    [InlineData("chmod 666 /etc/shadow", "chmod.critical-system-file")]
    [InlineData("chown -R nobody /usr", "chown.recursive-system-path")]
    [InlineData("chmod 4755 /usr/local/bin/tool", "chmod.setuid")]
    public void Permissions_on_system_paths_are_destructive(string command, string rule) => Expect.Destructive(command, rule);

    [Theory]
    [InlineData("tar -czf /tmp/etc.tgz /etc", "tar.temp-path")]
    [InlineData("tar -tzf backup.tgz", "tar.list")]
    [InlineData("tar xzf app.tgz -O config.yml", "tar.to-stdout")]
    [InlineData("gzip -c /var/log/syslog", "gzip.stdout")]
    [InlineData("unzip -l release.zip", "unzip.list")]
    public void Archives_read_unless_they_write(string command, string rule) => Expect.Read(command, rule);

    [Fact]
    public void Extracting_into_the_root_overwrites_data() => Expect.Data("tar -xzf backup.tgz -C /", "tar.data-path");

    [Fact]
    public void Awk_and_sed_read_unless_they_run_or_write()
    {
        Expect.Read("awk '$3 > 90 {print $1}' /tmp/x", "awk.read");
        Expect.Read("awk '{ print ($1 > 3) }' f", "awk.read");
        Expect.Service("awk '{ print > \"/etc/out\" }' f", "awk.write-system-path");
        Expect.Read("awk '{ print >> \"/tmp/out\" }' f", "awk.temp-path");
        Expect.Destructive("awk '{ system(\"rm \" $1) }' list", "awk.runs-commands");
        Expect.Destructive("sed 's/.*/rm &/e' list", "sed.execute");
        Expect.Read("sed -n 's/x/y/w /tmp/changed' f", "sed-w.temp-path");
        Expect.Read("sed -e 's/a/b/' -e 's/c/d/' f", "sed.stdout");
    }
}
