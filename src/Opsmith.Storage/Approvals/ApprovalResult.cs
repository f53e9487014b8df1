namespace Opsmith.Storage.Approvals;

public enum ApprovalResultKind
{
    /// <summary>The request is now approved or denied; its audit record is written.</summary>
    Decided,
    NotFound,
    /// <summary>Someone decided it first, or it expired and its outcome was applied.</summary>
    AlreadyDecided,
    /// <summary>Its expiry has passed: nobody can approve or deny it any more.</summary>
    Expired,
    /// <summary>Four-eyes: the decider proposed the step, or is not a person.</summary>
    NotAllowed,
}

/// <summary>
/// What came of an approve or deny: a refusal is a result with a sentence for the person who typed the command,
/// not an exception. <see cref="Request"/> is the request as it now stands (null when there is none).
/// </summary>
public sealed record ApprovalResult(ApprovalResultKind Kind, ApprovalRequest? Request, string Message)
{
    public bool Succeeded => Kind == ApprovalResultKind.Decided;
}
