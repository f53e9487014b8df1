namespace Opsmith.Lab.DemoService;

/// <summary>The answer of <c>GET /api/limit/{client}</c> when redis counted the request.</summary>
internal sealed record LimitResponse(string Client, long Count, int Limit, bool Allowed);

/// <summary>The answer of <c>POST /api/events</c> once the event is on disk.</summary>
internal sealed record EventWrittenResponse(bool Written);

/// <summary>Any failed request: what went wrong, prefixed by the part that failed (<c>redis: …</c>, <c>journal: …</c>).</summary>
internal sealed record ErrorResponse(string Error);
