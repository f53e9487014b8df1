using System.Net;

namespace Opsmith.Llm.Providers;

/// <summary>
/// The last HTTP status a provider answered within one call. SDKs wrap statuses in their own exception types;
/// this is set by <see cref="ProviderHttpHandler"/> beneath both, so retries and errors read one status.
/// </summary>
internal sealed class CallStatus
{
    private static readonly AsyncLocal<CallStatus?> CurrentCall = new();

    public HttpStatusCode? Status { get; set; }
    public string? Body { get; set; }

    public static CallStatus? Current => CurrentCall.Value;

    public static CallStatus Begin() => CurrentCall.Value = new CallStatus();
}

/// <summary>Adds the tier's extra headers to every request and records each answer's status (and an error's body) for the call.</summary>
internal sealed class ProviderHttpHandler(IReadOnlyDictionary<string, string> headers) : DelegatingHandler
{
    private const int MaxErrorBody = 2000;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (CallStatus.Current is { } call)
        {
            call.Status = response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                call.Body = body.Length > MaxErrorBody ? body[..MaxErrorBody] : body;
            }
        }
        return response;
    }
}
