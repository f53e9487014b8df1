namespace Opsmith.Storage.Audit;

/// <summary>
/// Decides which open runs were interrupted: their run-started record names an owner process that this
/// machine can see is gone. Both stores call it under their append lock with the open runs they found.
/// </summary>
internal static class AuditInterruptions
{
    /// <summary>Runs with a run-started record and neither a run-finished nor a run-interrupted one.</summary>
    public const string OpenRunsWhere =
        "kind = 'run-started' AND NOT EXISTS (SELECT 1 FROM audit_records e WHERE e.run_id = audit_records.run_id " +
        "AND e.kind IN ('run-finished', 'run-interrupted'))";

    public const string Actor = "opsmith";

    public static IReadOnlyList<AuditEntry> EntriesFor(IEnumerable<AuditRow> openRunStarts)
    {
        var entries = new List<AuditEntry>();
        var marker = $"process {Environment.ProcessId} on {Environment.MachineName}";
        foreach (var row in openRunStarts)
        {
            if (!row.TryToRecord(out var start, out _) || start.Owner is null) continue; // damaged: verify reports it
            var state = start.Owner.Probe();
            if (state.Status != RunOwnerStatus.Gone) continue;
            entries.Add(new AuditEntry(start.RunId, AuditKind.RunInterrupted, Actor, "", start.Skill, start.SkillHash, null,
                $"run started at record {start.Sequence} never finished: {state.Reason}; marked interrupted by {marker}"));
        }
        return entries;
    }
}
