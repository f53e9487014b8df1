using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Opsmith.Storage.Audit;

/// <summary>
/// The byte string an audit record's hash is computed over. It is a file format: once records exist,
/// changing anything here breaks every chain, so a change means a new version line and a verifier that
/// knows both. Version 1, documented in docs/audit.md:
/// <code>
/// opsmith-audit-v1\n
/// sequence=&lt;n&gt;:&lt;value&gt;\n
/// run=…  time=…  kind=…  actor=…  host=…  skill=…  skill_hash=…  decision=…  detail=…
/// owner_machine=…  owner_pid=…  owner_boot_id=…  owner_start=…  previous_hash=…   (one per line, this order)
/// </code>
/// Each field is its name, '=', the UTF-8 byte length of the value in decimal, ':', the value's UTF-8 bytes
/// and '\n'. The length prefix makes the form unambiguous whatever the text holds (newlines, '=', …).
/// Numbers are plain decimal (no sign, no grouping, no leading zeros); the time is UTC
/// <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>; kind and decision are their wire names (<see cref="AuditNames"/>);
/// absent values (no decision, no owner) are empty. Text is not normalized: what is stored is what is hashed.
/// Nothing depends on the culture. The hash is lowercase hex SHA-256 of these bytes.
/// <para>
/// Version 2 (records of <see cref="AuditRecord.Format"/> 2, written since the structured fields exist) starts
/// with <c>opsmith-audit-v2</c> and has five more fields after <c>owner_start</c>, before <c>previous_hash</c>:
/// <c>section</c>, <c>step</c>, <c>tier</c>, <c>mode</c>, <c>outcome</c> (wire names, empty when absent). Version 1
/// records keep their version 1 form, so trails written before the change still verify; a record whose format
/// was changed in the database no longer matches its hash.
/// </para>
/// </summary>
public static class AuditCanonicalForm
{
    public const string Version = "opsmith-audit-v1";
    public const string Version2 = "opsmith-audit-v2";

    /// <summary>The format every new record is written in.</summary>
    public const int CurrentFormat = 2;
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>The previous hash of record 1.</summary>
    public static readonly string GenesisHash = new('0', 64);

    public static byte[] Bytes(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(buffer, record);
        return buffer.WrittenSpan.ToArray();
    }

    public static string Text(AuditRecord record) => Encoding.UTF8.GetString(Bytes(record));

    /// <summary>The hash <paramref name="record"/> should carry, whatever its <see cref="AuditRecord.Hash"/> says.</summary>
    public static string ComputeHash(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(buffer, record);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) =>
        new(DateTime.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    /// <summary>A time as either database returns it (SQLite: canonical text; PostgreSQL: a UTC DateTime), or null.</summary>
    internal static DateTimeOffset? ReadStoredTime(object? value) => value switch
    {
        null => null,
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        DateTimeOffset o => o.ToUniversalTime(),
        string s => ParseTime(s),
        var other => throw new InvalidOperationException($"unexpected time value {other} ({other.GetType().Name})"),
    };

    /// <summary>Both databases keep microseconds; the store truncates before hashing so a round trip is exact.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % 10, TimeSpan.Zero);
    }

    private static void Write(ArrayBufferWriter<byte> buffer, AuditRecord r)
    {
        if (r.Format is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(r), r.Format, "unknown audit record format");
        Line(buffer, r.Format == 1 ? Version : Version2);
        Field(buffer, "sequence", Number(r.Sequence));
        Field(buffer, "run", r.RunId);
        Field(buffer, "time", FormatTime(r.Time));
        Field(buffer, "kind", r.Kind.ToWireName());
        Field(buffer, "actor", r.Actor);
        Field(buffer, "host", r.Host);
        Field(buffer, "skill", r.Skill);
        Field(buffer, "skill_hash", r.SkillHash);
        Field(buffer, "decision", r.Decision?.ToWireName() ?? "");
        Field(buffer, "detail", r.Detail);
        Field(buffer, "owner_machine", r.Owner?.Machine ?? "");
        Field(buffer, "owner_pid", r.Owner is null ? "" : Number(r.Owner.ProcessId));
        Field(buffer, "owner_boot_id", r.Owner?.BootId ?? "");
        Field(buffer, "owner_start", r.Owner is null ? "" : Number(r.Owner.StartTicks));
        if (r.Format >= 2)
        {
            Field(buffer, "section", r.Facts.SectionText);
            Field(buffer, "step", r.Facts.Step);
            Field(buffer, "tier", r.Facts.TierText);
            Field(buffer, "mode", r.Facts.ModeText);
            Field(buffer, "outcome", r.Facts.Outcome);
        }
        Field(buffer, "previous_hash", r.PreviousHash);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Field(ArrayBufferWriter<byte> buffer, string name, string? value)
    {
        value ??= "";
        var length = Encoding.UTF8.GetByteCount(value);
        Ascii(buffer, name);
        Ascii(buffer, "=");
        Ascii(buffer, Number(length));
        Ascii(buffer, ":");
        var span = buffer.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        buffer.Advance(length);
        Ascii(buffer, "\n");
    }

    private static void Line(ArrayBufferWriter<byte> buffer, string text)
    {
        Ascii(buffer, text);
        Ascii(buffer, "\n");
    }

    private static void Ascii(ArrayBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++) span[i] = (byte)text[i];
        buffer.Advance(text.Length);
    }
}
