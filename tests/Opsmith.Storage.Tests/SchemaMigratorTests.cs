using Opsmith.Storage.Migrations;

namespace Opsmith.Storage.Tests;

public sealed class SchemaMigratorTests
{
    [Fact]
    public void Both_dialects_ship_the_same_numbered_migrations()
    {
        var sqlite = SchemaMigrator.Load(SqlDialect.Sqlite);
        var postgres = SchemaMigrator.Load(SqlDialect.Postgres);

        Assert.NotEmpty(sqlite);
        Assert.Equal(sqlite.Select(m => (m.Version, m.Name)), postgres.Select(m => (m.Version, m.Name)));
    }
}
