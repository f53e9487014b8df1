using Opsmith.Core.Skills;
using Opsmith.Policy.Decisions;

namespace Opsmith.Storage.Approvals;

/// <summary>
/// What the executor asks for when the policy engine says a step needs a person: everything an approver must see to
/// decide. The store adds the id, the times and the status. <see cref="MaskedCommand"/> must already be masked.
/// </summary>
public sealed record ApprovalProposal(
    string RunId,
    Actor Proposer,
    string Skill,
    string SkillHash,
    string Host,
    string Step,
    string MaskedCommand,
    RiskTier Tier,
    string Reason);
