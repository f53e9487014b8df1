using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Opsmith.Llm.Tiers;
using Polly;
using Polly.Retry;

namespace Opsmith.Llm.Providers;

/// <summary>
/// Every call to a model goes through here: the tier's per-call token cap and timeout are applied, 429 and 5xx
/// answers, dropped connections and time-outs are retried with exponential backoff (Polly), and anything else —
/// or the last failure — becomes a <see cref="ModelCallException"/> that names provider, model and status.
/// A streamed answer is retried only until its first update has arrived (after that, a retry would repeat text).
/// </summary>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private readonly ModelSettings _model;
    private readonly ResiliencePipeline _pipeline;

    public ResilientChatClient(IChatClient inner, ModelSettings model, RetrySettings retry) : base(inner)
    {
        _model = model;
        var builder = new ResiliencePipelineBuilder();
        if (retry.Attempts > 1)
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientModelFailure>(),
                MaxRetryAttempts = retry.Attempts - 1,
                Delay = retry.FirstDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = retry.FirstDelay > TimeSpan.Zero,
            });
        _pipeline = builder.Build();
    }

    public ModelSettings Model => _model;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var capped = Capped(options);
        try
        {
            return await _pipeline.ExecuteAsync(async ct => await CallAsync(ct2 => base.GetResponseAsync(list, capped, ct2), ct), cancellationToken);
        }
        catch (TransientModelFailure failure)
        {
            throw new ModelCallException(_model, failure.Status, failure.Message + " (gave up after retrying)", failure.InnerException);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var capped = Capped(options);
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        ChatResponseUpdate? first = null;
        try
        {
            (stream, first) = await _pipeline.ExecuteAsync(async ct => await CallAsync(async ct2 =>
            {
                var e = base.GetStreamingResponseAsync(list, capped, ct2).GetAsyncEnumerator(ct2);
                return (e, await e.MoveNextAsync() ? e.Current : null);
            }, ct), cancellationToken);
        }
        catch (TransientModelFailure failure)
        {
            throw new ModelCallException(_model, failure.Status, failure.Message + " (gave up after retrying)", failure.InnerException);
        }
        await using var _ = stream;
        if (first is null) yield break;
        yield return first;
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await stream.MoveNextAsync()) yield break;
                update = stream.Current;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new ModelCallException(_model, CallStatus.Current?.Status, $"the streamed answer broke off: {e.Message}", e);
            }
            yield return update;
        }
    }

    private ChatOptions Capped(ChatOptions? options)
    {
        var capped = options?.Clone() ?? new ChatOptions();
        if (capped.MaxOutputTokens is not { } asked || asked > _model.MaxOutputTokens) capped.MaxOutputTokens = _model.MaxOutputTokens;
        return capped;
    }

    /// <summary>One attempt, under the per-call timeout, with its failure sorted into "try again" or "give up".</summary>
    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_model.Timeout);
        var status = CallStatus.Begin();
        try
        {
            return await call(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TransientModelFailure(null, $"did not answer within {Core.Text.DurationText.Format(_model.Timeout)}", null);
        }
        catch (Exception e) when (e is not OperationCanceledException and not ModelCallException)
        {
            if (status.Status is { } code && (int)code is 429 or >= 500)
                throw new TransientModelFailure(code, Reason(status, e), e);
            if (status.Status is { } other && (int)other >= 400)
                throw new ModelCallException(_model, other, Reason(status, e), e);
            if (status.Status is null && e is HttpRequestException or IOException)
                throw new TransientModelFailure(null, $"cannot be reached: {e.Message}", e);
            throw new ModelCallException(_model, status.Status, $"answered something that is not a valid {ModelSettings.ProviderName(_model.Provider)} response: {e.Message}", e);
        }
    }

    private static string Reason(CallStatus status, Exception e) =>
        status.Body is { Length: > 0 } body ? string.Join(" ", body.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries)).Trim() : e.Message;

    private sealed class TransientModelFailure(HttpStatusCode? status, string message, Exception? inner) : Exception(message, inner)
    {
        public HttpStatusCode? Status { get; } = status;
    }
}
