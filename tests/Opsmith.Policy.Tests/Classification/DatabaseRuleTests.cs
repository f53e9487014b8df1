namespace Opsmith.Policy.Tests.Classification;

public sealed class DatabaseRuleTests
{
    [Theory]
    [InlineData("psql -c 'SELECT 1'", "sql.select")]
    [InlineData("psql -tAc 'SHOW server_version'", "sql.show")]
    [InlineData("psql -c '\\dt'", "sql.meta")]
    [InlineData("psql -c 'EXPLAIN SELECT * FROM t'", "sql.explain")]
    [InlineData("psql -c 'BEGIN; SELECT 1; COMMIT'", "sql.begin")]
    [InlineData("mysql -Nse 'SELECT COUNT(*) FROM t' app", "sql.select")]
    [InlineData("mysql -e 'SHOW SLAVE STATUS\\G'", "sql.show")]
    [InlineData("psql -l", "psql.list")]
    [InlineData("sqlite3 -readonly app.db 'DELETE FROM t'", "sqlite3.readonly")]
    [InlineData("psql -c \"SELECT 'DROP TABLE x; -- not a statement'\"", "sql.select")]
    public void Queries_that_only_read_are_read(string command, string rule) => Expect.Read(command, rule);

    [Theory]
    [InlineData("psql -c 'DROP TABLE users'", "sql.drop")]
    [InlineData("psql -c 'drop database if exists app'", "sql.drop")]
    [InlineData("psql -c 'TRUNCATE events'", "sql.truncate")]
    [InlineData("psql -c 'DELETE FROM t WHERE id = 1'", "sql.delete")]
    [InlineData("psql -c 'UPDATE t SET x = 1'", "sql.update")]
    [InlineData("psql -c 'INSERT INTO t VALUES (1)'", "sql.insert")]
    [InlineData("psql -c 'ALTER TABLE t DROP COLUMN c'", "sql.alter")]
    [InlineData("psql -c \"COPY t FROM '/tmp/t.csv'\"", "sql.copy-in")]
    [InlineData("psql -c 'WITH d AS (DELETE FROM t RETURNING *) SELECT 1'", "sql.data-modifying-query")]
    [InlineData("psql -c 'EXPLAIN ANALYZE DELETE FROM t'", "sql.data-modifying-query")]
    [InlineData("psql -c 'SELECT 1' -c 'DELETE FROM t'", "sql.delete")]
    [InlineData("mysql -e 'DELETE FROM t' app", "sql.delete")]
    [InlineData("psql -c 'VACUUM' -c 'FROBNICATE t'", "sql.unrecognised")]
    [InlineData("psql -c 'DO $$ BEGIN DELETE FROM t; END $$'", "sql.procedure")]
    public void Statements_that_change_stored_data_are_data_mutation(string command, string rule) => Expect.Data(command, rule);

    [Theory]
    [InlineData("psql -f migrate.sql", "sql.script-file")]
    [InlineData("psql app < dump.sql", "sql.script-file")]
    [InlineData("some-tool | psql app", "sql.piped-input")]
    [InlineData("psql app", "sql.interactive-session")]
    public void Sql_that_cannot_be_read_is_data_mutation(string command, string rule) => Expect.Data(command, rule);

    [Fact]
    public void Sql_on_standard_input_is_read_when_it_is_written_out()
    {
        Expect.Read("psql app <<'SQL'\nSELECT 1;\nSELECT 2;\nSQL", "sql.select");
        Expect.Data("psql app <<'SQL'\nSELECT 1;\nDELETE FROM t;\nSQL", "sql.delete");
        Expect.Read("echo 'SELECT 1' | psql app");
        Expect.Data("mysql app <<< 'TRUNCATE t'", "sql.truncate");
    }

    [Theory]
    [InlineData("psql -c 'SELECT pg_terminate_backend(123)'", "sql.terminate-backend")]
    [InlineData("mysql -e 'KILL 42'", "sql.kill")]
    [InlineData("psql -c 'DROP INDEX idx_t'", "sql.drop-object")]
    [InlineData("psql -c '\\! rm -rf /opt'", "rm.recursive-system-path")]
    public void Ending_sessions_and_dropping_non_data_objects_is_destructive(string command, string rule) => Expect.Destructive(command, rule);

    [Theory]
    [InlineData("psql -c 'CREATE INDEX CONCURRENTLY i ON t (x)'", "sql.create")]
    [InlineData("psql -c 'VACUUM ANALYZE t'", "sql.vacuum")]
    [InlineData("psql -c 'SELECT pg_reload_conf()'", "sql.admin-function")]
    [InlineData("psql -c 'ALTER SYSTEM SET work_mem = 64MB'", "sql.alter-system")]
    [InlineData("mysql -e 'SET GLOBAL max_connections = 500'", "sql.set-global")]
    [InlineData("psql -c 'GRANT SELECT ON t TO ro'", "sql.grant")]
    public void Changing_settings_and_objects_is_service_mutation(string command, string rule) => Expect.Service(command, rule);

    [Fact]
    public void Database_tools_are_judged_by_what_they_do()
    {
        Expect.Data("dropdb app", "pg.dropdb");
        Expect.Data("pg_restore -d app --clean x.dump", "pg_restore.restore");
        Expect.Read("pg_restore -l x.dump", "pg_restore.list");
        Expect.Read("pg_dump app > /tmp/app.sql");
        Expect.Service("pg_dump -f /srv/dumps/app.sql app", "pg_dump.write-dump");
        Expect.Service("pg_ctlcluster 14 main restart", "pg_ctlcluster.restart");
        Expect.Destructive("pg_ctl stop -m immediate -D /var/lib/postgresql/data", "pg_ctl.stop-immediate");
        Expect.Read("pg_resetwal -n /var/lib/postgresql/14/main", "pg_resetwal.dry-run");
        Expect.Data("mysqladmin drop shop", "mysqladmin.drop");
        Expect.Read("mysqladmin processlist", "mysqladmin.processlist");
    }

    [Theory]
    [InlineData("redis-cli GET k", "redis.read")]
    [InlineData("redis-cli -n 3 --raw HGETALL user:1", "redis.read")]
    [InlineData("redis-cli INFO keyspace", "redis.read")]
    [InlineData("redis-cli CONFIG GET maxmemory-policy", "redis.read")]
    [InlineData("redis-cli --bigkeys", "redis.read")]
    [InlineData("redis-cli --cluster check 10.0.0.1:6379", "redis.cluster-check")]
    [InlineData("redis-cli <<< 'PING'", "redis.read")]
    public void Redis_reads_are_read(string command, string rule) => Expect.Read(command, rule);

    [Theory]
    [InlineData("redis-cli FLUSHALL", "redis.flushall")]
    [InlineData("redis-cli flushdb async", "redis.flushdb")]
    [InlineData("redis-cli DEL a b c", "redis.del")]
    [InlineData("redis-cli -h x SET k v", "redis.write")]
    [InlineData("redis-cli EXPIRE k 0", "redis.write")]
    [InlineData("redis-cli SHUTDOWN NOSAVE", "redis.shutdown-nosave")]
    [InlineData("redis-cli SLAVEOF 10.0.0.2 6379", "redis.replicaof")]
    [InlineData("redis-cli --cluster call 10.0.0.1:6379 FLUSHALL", "redis.flushall")]
    [InlineData("redis-cli FROBNICATE k", "redis.write")]
    [InlineData("echo FLUSHALL | redis-cli", "redis.flushall")]
    [InlineData("generate-commands | redis-cli", "redis.piped-commands")]
    public void Redis_writes_and_deletes_are_data_mutation(string command, string rule) => Expect.Data(command, rule);

    [Theory]
    [InlineData("redis-cli CONFIG SET dir /tmp", "redis.config-set")]
    [InlineData("redis-cli CLIENT KILL ID 5", "redis.client-kill")]
    [InlineData("redis-cli DEBUG SEGFAULT", "redis.debug-segfault")]
    [InlineData("redis-cli SHUTDOWN", "redis.shutdown")]
    public void Redis_admin_commands_that_cannot_be_undone_are_destructive(string command, string rule) => Expect.Destructive(command, rule);

    [Fact]
    public void Redis_maintenance_is_service_mutation()
    {
        Expect.Service("redis-cli BGSAVE", "redis.bgsave");
        Expect.Service("redis-cli CONFIG REWRITE", "redis.config");
    }

    [Fact]
    public void Other_data_stores_are_judged_by_their_commands()
    {
        Expect.Data("etcdctl del /a --prefix", "etcdctl.del");
        Expect.Read("etcdctl get /a", "etcdctl.get");
        Expect.Data("mongosh app --eval 'db.t.deleteMany({})'", "mongo.write");
        Expect.Read("mongosh app --eval 'db.t.find().limit(5)'", "mongo.read");
        Expect.Data("rabbitmqctl purge_queue q", "rabbitmqctl.purge_queue");
        Expect.Read("rabbitmqctl list_queues", "rabbitmqctl.list_queues");
        Expect.Data("kafka-topics --bootstrap-server k:9092 --delete --topic t", "kafka.delete-topic");
        Expect.Read("kafka-consumer-groups --bootstrap-server k:9092 --group g --reset-offsets --to-earliest --topic t", "kafka.describe-group");
        Expect.Data("echo flush_all | nc localhost 11211", "nc.data-store-command");
        Expect.Read("echo stats | nc localhost 11211");
        Expect.Data("vault kv delete secret/app", "vault.kv-delete");
        Expect.Data("consul kv delete -recurse app/", "consul.kv-delete");
    }
}
