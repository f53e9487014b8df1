using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Opsmith.Storage.Audit;

/// <summary>
/// <c>audit export --format jsonl</c>: one JSON object per record and line, keys in canonical-form order.
/// Writes the rows as stored, without interpreting them, so a damaged trail still exports in full and the
/// export can be re-verified elsewhere (every field the hash covers is present).
/// </summary>
internal static class AuditJsonl
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<long> WriteAsync(TextWriter writer, IAsyncEnumerable<AuditRow> rows, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        long count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer, Options)) Write(json, row);
            await writer.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan).AsMemory(), cancellationToken);
            count++;
        }
        await writer.FlushAsync(cancellationToken);
        return count;
    }

    private static void Write(Utf8JsonWriter json, AuditRow row)
    {
        json.WriteStartObject();
        json.WriteNumber("sequence", row.Sequence);
        json.WriteString("run", row.RunId);
        json.WriteString("time", row.TimeText);
        json.WriteString("kind", row.Kind);
        json.WriteString("actor", row.Actor);
        json.WriteString("host", row.Host);
        json.WriteString("skill", row.Skill);
        json.WriteString("skill_hash", row.SkillHash);
        if (string.IsNullOrEmpty(row.Decision)) json.WriteNull("decision"); else json.WriteString("decision", row.Decision);
        json.WriteString("detail", row.Detail);
        if (row.OwnerMachine is null && row.OwnerPid is null && row.OwnerBootId is null && row.OwnerStart is null)
            json.WriteNull("owner");
        else
        {
            json.WriteStartObject("owner");
            json.WriteString("machine", row.OwnerMachine);
            if (row.OwnerPid is { } pid) json.WriteNumber("pid", pid); else json.WriteNull("pid");
            json.WriteString("boot_id", row.OwnerBootId);
            if (row.OwnerStart is { } start) json.WriteNumber("start", start); else json.WriteNull("start");
            json.WriteEndObject();
        }
        if (row.Format >= 2)
        {
            json.WriteNumber("format", row.Format);
            json.WriteString("section", row.Section);
            json.WriteString("step", row.Step);
            json.WriteString("tier", row.Tier);
            json.WriteString("mode", row.Mode);
            json.WriteString("outcome", row.Outcome);
        }
        json.WriteString("previous_hash", row.PreviousHash);
        json.WriteString("hash", row.Hash);
        json.WriteEndObject();
    }
}
