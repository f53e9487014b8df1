using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Opsmith.Testing;

/// <summary>Which wire format a <see cref="FakeModelServer"/> speaks.</summary>
public enum FakeProtocol { OpenAI, Anthropic }

/// <summary>One scripted answer of a <see cref="FakeModelServer"/>.</summary>
public abstract record ScriptedAnswer
{
    /// <summary>Tokens the answer reports as used (prompt, completion).</summary>
    public (int Input, int Output) Usage { get; init; } = (100, 20);

    public static ScriptedAnswer Text(string text) => new TextAnswer(text);
    public static ScriptedAnswer Tool(string name, object arguments) => new ToolAnswer([(name, JsonSerializer.Serialize(arguments))]);
    public static ScriptedAnswer Refusal(string why) => new RefusalAnswer(why);
    public static ScriptedAnswer Malformed() => new MalformedAnswer();
    public static ScriptedAnswer Status(int status) => new StatusAnswer(status);
    /// <summary>Never answers: the request hangs until the client gives up.</summary>
    public static ScriptedAnswer Hang() => new HangAnswer();
}

public sealed record TextAnswer(string Content) : ScriptedAnswer;
public sealed record ToolAnswer(IReadOnlyList<(string Name, string ArgumentsJson)> Calls) : ScriptedAnswer;
public sealed record RefusalAnswer(string Why) : ScriptedAnswer;
public sealed record MalformedAnswer : ScriptedAnswer;
public sealed record StatusAnswer(int Code) : ScriptedAnswer;
public sealed record HangAnswer : ScriptedAnswer;

/// <summary>
/// A model provider on loopback (Kestrel) that speaks OpenAI chat completions (<c>POST /v1/chat/completions</c>)
/// or Anthropic messages (<c>POST /v1/messages</c>), streamed (server-sent events) or not, and answers from a
/// script: text, tool calls, refusals, malformed JSON, 429/500, or nothing at all. It records every request body,
/// so tests can assert on what reached the "model" (and what never did).
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ScriptedAnswer> _script = new();
    private readonly ConcurrentQueue<JsonObject> _requests = new();
    private readonly WebApplication _app;
    private int _ids;

    private FakeModelServer(FakeProtocol protocol, WebApplication app)
    {
        Protocol = protocol;
        _app = app;
    }

    public FakeProtocol Protocol { get; }

    /// <summary>What to answer when the script is empty (by default: a short text).</summary>
    public ScriptedAnswer WhenScriptEnds { get; set; } = ScriptedAnswer.Text("(the script has ended)");

    /// <summary>The base URL a client is given: <c>http://127.0.0.1:PORT/v1</c> for OpenAI, <c>http://127.0.0.1:PORT</c> for Anthropic.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request body received, in order.</summary>
    public IReadOnlyList<JsonObject> Requests => _requests.ToList();

    /// <summary>Every request's raw text, for "this never reached the model" assertions.</summary>
    public string AllRequestText => string.Join("\n", _requests.Select(r => r.ToJsonString()));

    /// <summary>Request headers of the last request.</summary>
    public IReadOnlyDictionary<string, string> LastHeaders { get; private set; } = new Dictionary<string, string>();

    public FakeModelServer Script(params ScriptedAnswer[] answers)
    {
        foreach (var answer in answers) _script.Enqueue(answer);
        return this;
    }

    public static async Task<FakeModelServer> StartAsync(FakeProtocol protocol)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeModelServer(protocol, app);
        app.MapPost(protocol == FakeProtocol.OpenAI ? "/v1/chat/completions" : "/v1/messages", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(protocol == FakeProtocol.OpenAI ? address + "/v1" : address);
        return server;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync()) as JsonObject ?? [];
        _requests.Enqueue(body);
        LastHeaders = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var answer = _script.TryDequeue(out var next) ? next : WhenScriptEnds;
        var stream = body["stream"]?.GetValue<bool>() == true;
        var model = body["model"]?.GetValue<string>() ?? "fake";
        var id = Interlocked.Increment(ref _ids);
        switch (answer)
        {
            case HangAnswer:
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case StatusAnswer status:
                http.Response.StatusCode = status.Code;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(Protocol == FakeProtocol.OpenAI
                    ? $$$"""{"error":{"message":"scripted status {{{status.Code}}}","type":"server_error","code":null}}"""
                    : $$$"""{"type":"error","error":{"type":"{{{(status.Code == 429 ? "rate_limit_error" : "api_error")}}}","message":"scripted status {{{status.Code}}}"}}""");
                return;
            case MalformedAnswer:
                http.Response.ContentType = stream ? "text/event-stream" : "application/json";
                await http.Response.WriteAsync(!stream ? "{\"id\": \"x\", \"choices\": [ {\"message\": "
                    : Protocol == FakeProtocol.OpenAI ? "data: {\"choices\": [ {\"delta\": \n\n"
                    : "event: message_start\ndata: {\"type\": \"message_start\", \"message\": {\"id\": \n\n");
                return;
        }
        if (stream)
        {
            http.Response.ContentType = "text/event-stream";
            foreach (var (name, data) in Protocol == FakeProtocol.OpenAI ? OpenAIStream(answer, model, id) : AnthropicStream(answer, model, id))
                await http.Response.WriteAsync((name is null ? "" : $"event: {name}\n") + $"data: {data}\n\n");
            if (Protocol == FakeProtocol.OpenAI) await http.Response.WriteAsync("data: [DONE]\n\n");
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync((Protocol == FakeProtocol.OpenAI ? OpenAIMessage(answer, model, id) : AnthropicMessage(answer, model, id)).ToJsonString());
    }

    private static JsonObject OpenAIUsage(ScriptedAnswer a) =>
        new() { ["prompt_tokens"] = a.Usage.Input, ["completion_tokens"] = a.Usage.Output, ["total_tokens"] = a.Usage.Input + a.Usage.Output };

    private static JsonArray OpenAIToolCalls(ToolAnswer tools, bool indexed) => new(tools.Calls.Select((c, i) =>
    {
        var call = new JsonObject { ["id"] = $"call_{i}", ["type"] = "function", ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson } };
        if (indexed) call["index"] = i;
        return (JsonNode)call;
    }).ToArray());

    private static JsonObject OpenAIMessage(ScriptedAnswer answer, string model, int id)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = answer is TextAnswer t ? t.Content : null };
        if (answer is RefusalAnswer r) message["refusal"] = r.Why;
        if (answer is ToolAnswer tools) message["tool_calls"] = OpenAIToolCalls(tools, indexed: false);
        return new JsonObject
        {
            ["id"] = $"chatcmpl-{id}", ["object"] = "chat.completion", ["created"] = 1700000000, ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = answer is ToolAnswer ? "tool_calls" : "stop" }),
            ["usage"] = OpenAIUsage(answer),
        };
    }

    private static IEnumerable<(string?, string)> OpenAIStream(ScriptedAnswer answer, string model, int id)
    {
        JsonObject Chunk(JsonObject delta, string? finish) => new()
        {
            ["id"] = $"chatcmpl-{id}", ["object"] = "chat.completion.chunk", ["created"] = 1700000000, ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        yield return (null, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null).ToJsonString());
        switch (answer)
        {
            case TextAnswer text:
                foreach (var piece in Pieces(text.Content)) yield return (null, Chunk(new JsonObject { ["content"] = piece }, null).ToJsonString());
                break;
            case RefusalAnswer refusal:
                yield return (null, Chunk(new JsonObject { ["refusal"] = refusal.Why }, null).ToJsonString());
                break;
            case ToolAnswer tools:
                yield return (null, Chunk(new JsonObject { ["tool_calls"] = OpenAIToolCalls(tools, indexed: true) }, null).ToJsonString());
                break;
        }
        yield return (null, Chunk(new JsonObject(), answer is ToolAnswer ? "tool_calls" : "stop").ToJsonString());
        yield return (null, new JsonObject
        {
            ["id"] = $"chatcmpl-{id}", ["object"] = "chat.completion.chunk", ["created"] = 1700000000, ["model"] = model,
            ["choices"] = new JsonArray(), ["usage"] = OpenAIUsage(answer),
        }.ToJsonString());
    }

    private static JsonArray AnthropicContent(ScriptedAnswer answer) => answer switch
    {
        TextAnswer text => new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text.Content }),
        RefusalAnswer refusal => new JsonArray(new JsonObject { ["type"] = "text", ["text"] = refusal.Why }),
        ToolAnswer tools => new JsonArray(tools.Calls.Select((c, i) => (JsonNode)new JsonObject
        {
            ["type"] = "tool_use", ["id"] = $"toolu_{i}", ["name"] = c.Name, ["input"] = JsonNode.Parse(c.ArgumentsJson),
        }).ToArray()),
        _ => [],
    };

    private static string AnthropicStop(ScriptedAnswer answer) => answer switch
    {
        ToolAnswer => "tool_use",
        RefusalAnswer => "refusal",
        _ => "end_turn",
    };

    private static JsonObject AnthropicMessage(ScriptedAnswer answer, string model, int id) => new()
    {
        ["id"] = $"msg_{id}", ["type"] = "message", ["role"] = "assistant", ["model"] = model, ["content"] = AnthropicContent(answer),
        ["stop_reason"] = AnthropicStop(answer), ["stop_sequence"] = null,
        ["usage"] = new JsonObject { ["input_tokens"] = answer.Usage.Input, ["output_tokens"] = answer.Usage.Output },
    };

    private static IEnumerable<(string?, string)> AnthropicStream(ScriptedAnswer answer, string model, int id)
    {
        var start = AnthropicMessage(answer, model, id);
        start["content"] = new JsonArray();
        start["stop_reason"] = null;
        start["usage"] = new JsonObject { ["input_tokens"] = answer.Usage.Input, ["output_tokens"] = 1 };
        yield return ("message_start", new JsonObject { ["type"] = "message_start", ["message"] = start }.ToJsonString());
        var index = 0;
        foreach (var block in AnthropicContent(answer).Select(b => b!.AsObject()))
        {
            if (block["type"]!.GetValue<string>() == "text")
            {
                yield return ("content_block_start", $$$"""{"type":"content_block_start","index":{{{index}}},"content_block":{"type":"text","text":""}}""");
                foreach (var piece in Pieces(block["text"]!.GetValue<string>()))
                    yield return ("content_block_delta", new JsonObject
                    {
                        ["type"] = "content_block_delta", ["index"] = index, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece },
                    }.ToJsonString());
            }
            else
            {
                yield return ("content_block_start", new JsonObject
                {
                    ["type"] = "content_block_start", ["index"] = index,
                    ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = block["id"]!.DeepClone(), ["name"] = block["name"]!.DeepClone(), ["input"] = new JsonObject() },
                }.ToJsonString());
                yield return ("content_block_delta", new JsonObject
                {
                    ["type"] = "content_block_delta", ["index"] = index,
                    ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = block["input"]!.ToJsonString() },
                }.ToJsonString());
            }
            yield return ("content_block_stop", $$"""{"type":"content_block_stop","index":{{index}}}""");
            index++;
        }
        yield return ("message_delta", new JsonObject
        {
            ["type"] = "message_delta", ["delta"] = new JsonObject { ["stop_reason"] = AnthropicStop(answer), ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = answer.Usage.Output },
        }.ToJsonString());
        yield return ("message_stop", """{"type":"message_stop"}""");
    }

    /// <summary>Text in a few pieces, so a streamed answer really arrives in parts.</summary>
    private static IEnumerable<string> Pieces(string text)
    {
        const int size = 16;
        for (var i = 0; i < text.Length; i += size) yield return text.Substring(i, Math.Min(size, text.Length - i));
        if (text.Length == 0) yield return "";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
