using Opsmith.Core.Runs;
using Opsmith.Core.Skills;
using Opsmith.Storage.Audit;

namespace Opsmith.Storage.Tests;

public sealed class AuditCanonicalFormTests
{
    private static readonly AuditRecord Sample = new(
        Sequence: 42,
        RunId: "run-7",
        Time: new DateTimeOffset(2026, 11, 21, 9, 30, 1, TimeSpan.Zero).AddTicks(1_234_560),
        Kind: AuditKind.Decision,
        Actor: "alice",
        Host: "web1",
        Skill: "restart-nginx",
        SkillHash: "abc",
        Decision: AuditDecision.ApprovalGranted,
        Detail: "line one\nline=two ✓",
        Owner: null,
        PreviousHash: "0123",
        Hash: "ignored") { Format = 1 };

    /// <summary>The same record as written since structured fields exist.</summary>
    private static readonly AuditRecord SampleV2 = Sample with
    {
        Format = 2,
        Facts = new AuditFacts(RunSection.Actions, "restart", RiskTier.ServiceMutation, RunMode.Execute, "autonomy"),
    };

    [Fact]
    public void The_canonical_form_is_length_prefixed_fields_in_a_fixed_order()
    {
        // A golden value: if this test fails, every stored chain stops verifying. Add a new version instead.
        Assert.Equal("""
            opsmith-audit-v1
            sequence=2:42
            run=5:run-7
            time=27:2026-11-21T09:30:01.123456Z
            kind=8:decision
            actor=5:alice
            host=4:web1
            skill=13:restart-nginx
            skill_hash=3:abc
            decision=16:approval-granted
            detail=21:line one
            line=two ✓
            owner_machine=0:
            owner_pid=0:
            owner_boot_id=0:
            owner_start=0:
            previous_hash=4:0123

            """.ReplaceLineEndings("\n"), AuditCanonicalForm.Text(Sample));
    }

    [Fact]
    public void Version_2_adds_the_structured_fields_before_the_previous_hash()
    {
        // A golden value too: records of format 2 verify only while this form stays as it is.
        Assert.Equal("""
            opsmith-audit-v2
            sequence=2:42
            run=5:run-7
            time=27:2026-11-21T09:30:01.123456Z
            kind=8:decision
            actor=5:alice
            host=4:web1
            skill=13:restart-nginx
            skill_hash=3:abc
            decision=16:approval-granted
            detail=21:line one
            line=two ✓
            owner_machine=0:
            owner_pid=0:
            owner_boot_id=0:
            owner_start=0:
            section=7:actions
            step=7:restart
            tier=16:service-mutation
            mode=7:execute
            outcome=8:autonomy
            previous_hash=4:0123

            """.ReplaceLineEndings("\n"), AuditCanonicalForm.Text(SampleV2));
    }

    [Fact]
    public void A_record_whose_format_was_changed_no_longer_matches_its_hash()
    {
        var sealedV2 = SampleV2 with { Hash = AuditCanonicalForm.ComputeHash(SampleV2) };
        Assert.NotEqual(sealedV2.Hash, AuditCanonicalForm.ComputeHash(sealedV2 with { Format = 1 }));
        Assert.NotEqual(AuditCanonicalForm.ComputeHash(Sample), AuditCanonicalForm.ComputeHash(Sample with { Format = 2 }));
    }

    [Fact]
    public void Every_structured_field_changes_the_hash()
    {
        var f = SampleV2.Facts;
        var variants = new[]
        {
            SampleV2 with { Facts = f with { Section = RunSection.Rollback } }, SampleV2 with { Facts = f with { Step = "other" } },
            SampleV2 with { Facts = f with { Tier = RiskTier.Destructive } }, SampleV2 with { Facts = f with { Mode = RunMode.DryRun } },
            SampleV2 with { Facts = f with { Outcome = "kill-switch" } }, SampleV2 with { Facts = AuditFacts.None },
        };
        var hashes = variants.Select(AuditCanonicalForm.ComputeHash).Append(AuditCanonicalForm.ComputeHash(SampleV2)).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void The_hash_is_sha256_of_the_canonical_form_and_ignores_the_stored_hash()
    {
        Assert.Equal("bdc863a099a9dd9daacdc6fc55b6c5d10a13967fc8ce7ffd65b2b9d56acbc2ed", AuditCanonicalForm.ComputeHash(Sample));
        Assert.Equal(AuditCanonicalForm.ComputeHash(Sample), AuditCanonicalForm.ComputeHash(Sample with { Hash = "other" }));
    }

    [Fact]
    public void Every_field_changes_the_hash()
    {
        var owner = new RunOwner("m", 1, "b", 2);
        var variants = new[]
        {
            Sample with { Sequence = 43 }, Sample with { RunId = "run-8" }, Sample with { Time = Sample.Time.AddTicks(10) },
            Sample with { Kind = AuditKind.Command, Decision = null }, Sample with { Actor = "bob" }, Sample with { Host = "web2" },
            Sample with { Skill = "x" }, Sample with { SkillHash = "abd" }, Sample with { Decision = AuditDecision.ApprovalDenied },
            Sample with { Detail = "line one\nline=two ✗" }, Sample with { Owner = owner }, Sample with { Owner = owner with { ProcessId = 3 } },
            Sample with { PreviousHash = "0124" },
        };
        var hashes = variants.Select(AuditCanonicalForm.ComputeHash).Append(AuditCanonicalForm.ComputeHash(Sample)).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void Moving_text_between_fields_changes_the_hash()
    {
        // Without the length prefix "ab" + "c" and "a" + "bc" would hash alike.
        Assert.NotEqual(AuditCanonicalForm.ComputeHash(Sample with { Actor = "ab", Host = "c" }),
            AuditCanonicalForm.ComputeHash(Sample with { Actor = "a", Host = "bc" }));
    }

    [Fact]
    public void Times_are_kept_to_the_microsecond_both_databases_store()
    {
        var time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(9_999_999);
        var stored = AuditCanonicalForm.ToStoredPrecision(time);
        Assert.Equal(TimeSpan.Zero, stored.Offset);
        Assert.Equal("2026-01-02T01:04:05.999999Z", AuditCanonicalForm.FormatTime(stored));
        Assert.Equal(stored, AuditCanonicalForm.ParseTime(AuditCanonicalForm.FormatTime(stored)));
    }
}
