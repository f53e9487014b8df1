namespace Opsmith.Core.Checks;

/// <summary>
/// The result of evaluating one probe once: whether its expectation held, a one-line reason a person can
/// read, and the fields later templates may use (stdout, exit_code, status, body, open, value).
/// </summary>
public sealed record CheckOutcome(bool Passed, string Detail, IReadOnlyDictionary<string, string> Fields)
{
    public static CheckOutcome Pass(string detail, IReadOnlyDictionary<string, string> fields) => new(true, detail, fields);
    public static CheckOutcome Fail(string detail, IReadOnlyDictionary<string, string> fields) => new(false, detail, fields);
}
