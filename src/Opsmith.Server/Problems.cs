using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Opsmith.Application;

namespace Opsmith.Server;

/// <summary>
/// Every error the API returns is an RFC 7807 problem (application/problem+json). An invalid document's problem lists
/// every diagnostic with its file, line, column and field (<c>errors</c>), as <c>opsmith validate</c> prints them.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult From(OpsmithError error)
    {
        var status = error.Kind switch
        {
            ErrorKind.NotFound => StatusCodes.Status404NotFound,
            ErrorKind.Invalid => StatusCodes.Status422UnprocessableEntity,
            ErrorKind.BadRequest => StatusCodes.Status400BadRequest,
            ErrorKind.Conflict => StatusCodes.Status409Conflict,
            ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status503ServiceUnavailable,
        };
        var extensions = new Dictionary<string, object?>();
        if (error.Diagnostics.Count > 0) extensions["errors"] = error.Diagnostics.Select(ApiDiagnostic.From).ToList();
        return TypedResults.Problem(error.Message, statusCode: status, title: Title(error.Kind), extensions: extensions);
    }

    public static ProblemHttpResult Status(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);

    /// <summary>For middleware that answers before an endpoint runs (authentication, rate limits).</summary>
    public static async Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await writer.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    private static string Title(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => "Not found",
        ErrorKind.Invalid => "The document is not valid",
        ErrorKind.BadRequest => "Bad request",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.Forbidden => "Not allowed",
        _ => "Unavailable",
    };
}

/// <summary>One problem in a document: where (file, line, column, field) and what, with the rule's code.</summary>
public sealed record ApiDiagnostic(string File, int Line, int Column, string? Field, string Code, string Severity, string Message)
{
    public static ApiDiagnostic From(Opsmith.Core.Diagnostics.Diagnostic d) =>
        new(d.File, d.Position.Line, d.Position.Column, d.Path, d.Code, d.Severity.ToString().ToLowerInvariant(), d.Message);
}
