using Opsmith.Core.Diagnostics;
using Opsmith.Core.Documents;

namespace Opsmith.Application;

/// <summary>What kind of problem an <see cref="OpsmithError"/> is: surfaces map it (the CLI to exit codes, a server to HTTP statuses).</summary>
public enum ErrorKind
{
    /// <summary>A file, skill, host or record that was named does not exist.</summary>
    NotFound,
    /// <summary>A document or configuration is invalid; <see cref="OpsmithError.Diagnostics"/> says where.</summary>
    Invalid,
    /// <summary>The request itself is wrong: a missing input, a value of the wrong type, a target that names nothing.</summary>
    BadRequest,
    /// <summary>The request no longer fits what is there: a skill changed since the report that names it was written.</summary>
    Conflict,
    /// <summary>The caller may not do this: four-eyes (nobody approves their own change), or an agent where a person must act.</summary>
    Forbidden,
    /// <summary>Something Opsmith depends on cannot be used: the audit trail cannot be opened, a folder cannot be written.</summary>
    Unavailable,
}

/// <summary>
/// A problem a caller can act on, as a value: what went wrong in words for the person at 3 a.m., and, for
/// invalid documents, every diagnostic with its file, line and field. Never an exception.
/// </summary>
public sealed record OpsmithError(ErrorKind Kind, string Message, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>The document the diagnostics belong to, for printing snippets.</summary>
    public LoadedDocument? Document { get; init; }

    public static OpsmithError NotFound(string message) => new(ErrorKind.NotFound, message, []);
    public static OpsmithError BadRequest(string message) => new(ErrorKind.BadRequest, message, []);
    public static OpsmithError Conflict(string message) => new(ErrorKind.Conflict, message, []);
    public static OpsmithError Unavailable(string message) => new(ErrorKind.Unavailable, message, []);
    public static OpsmithError Forbidden(string message) => new(ErrorKind.Forbidden, message, []);

    public static OpsmithError Invalid(string message, LoadedDocument document) =>
        new(ErrorKind.Invalid, message, document.Diagnostics.Where(d => d.IsError).ToList()) { Document = document };
}

/// <summary>A value or the reason there is none.</summary>
public readonly record struct Result<T>(T? Value, OpsmithError? Error)
{
    public bool Ok => Error is null;

    public static implicit operator Result<T>(T value) => new(value, null);
    public static implicit operator Result<T>(OpsmithError error) => new(default, error);
}
