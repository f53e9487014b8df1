using System.Net;
using Microsoft.Extensions.AI;
using Opsmith.Llm.Providers;
using Opsmith.Llm.Tiers;
using Opsmith.Testing;

namespace Opsmith.Llm.Tests;

/// <summary>Both providers, through the official SDKs, against local servers speaking their wire formats.</summary>
public sealed class ProviderTests
{
    private static readonly RetrySettings NoWait = new(3, TimeSpan.Zero);

    public static TheoryData<FakeProtocol, bool> Protocols => new()
    {
        { FakeProtocol.OpenAI, false }, { FakeProtocol.OpenAI, true }, { FakeProtocol.Anthropic, false }, { FakeProtocol.Anthropic, true },
    };

    internal static IChatClient Client(FakeModelServer server, RetrySettings? retry = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var provider = server.Protocol == FakeProtocol.OpenAI ? ModelProvider.OpenAI : ModelProvider.Anthropic;
        var settings = ModelSettings.For(provider, "test-model") with
        {
            BaseUrl = server.BaseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(30), Headers = headers ?? new Dictionary<string, string>(),
        };
        return ChatClientFactory.Create(new ModelEndpoint(settings, "sk-test-key-1234"), retry ?? NoWait);
    }

    private static async Task<ChatResponse> AskAsync(IChatClient client, bool stream, ChatOptions? options = null) =>
        stream
            ? await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hello")], options).ToChatResponseAsync()
            : await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], options);

    [Theory, MemberData(nameof(Protocols))]
    public async Task A_text_answer_arrives_with_its_token_usage_and_the_key_and_extra_headers_reach_the_server(FakeProtocol protocol, bool stream)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Text("The disk is full on web1; /var/log holds 9 GiB of old logs.") with { Usage = (321, 45) });

        var response = await AskAsync(Client(server, headers: new Dictionary<string, string> { ["X-Team"] = "sre" }), stream);

        Assert.Equal("The disk is full on web1; /var/log holds 9 GiB of old logs.", response.Text);
        Assert.Equal(321, response.Usage?.InputTokenCount);
        Assert.Equal(45, response.Usage?.OutputTokenCount);
        Assert.Equal("sre", server.LastHeaders["X-Team"]);
        Assert.True(server.LastHeaders.Values.Any(v => v.Contains("sk-test-key-1234")), string.Join("; ", server.LastHeaders));
        Assert.Equal("test-model", server.Requests.Single()["model"]!.GetValue<string>());
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task A_tool_call_arrives_as_a_function_call_with_its_arguments(FakeProtocol protocol, bool stream)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Tool("run_command", new { host = "db", command = "df -h" }));
        var tool = AIFunctionFactory.Create((string host, string command) => "", "run_command", "Runs a command.");

        var response = await AskAsync(Client(server), stream, new ChatOptions { Tools = [tool] });

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("run_command", call.Name);
        Assert.Equal("db", call.Arguments!["host"]!.ToString());
        Assert.Equal("df -h", call.Arguments!["command"]!.ToString());
        Assert.NotNull(server.Requests.Single()["tools"]);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task The_per_call_token_cap_is_sent_and_a_larger_request_is_capped(FakeProtocol protocol, bool stream)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Text("ok"));

        await AskAsync(Client(server), stream, new ChatOptions { MaxOutputTokens = 1_000_000 });

        var sent = server.Requests.Single();
        var cap = (sent["max_tokens"] ?? sent["max_completion_tokens"] ?? sent["max_output_tokens"])!.GetValue<int>();
        Assert.Equal(ModelSettings.DefaultMaxOutputTokens, cap);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Rate_limits_and_server_errors_are_retried_until_an_answer_comes(FakeProtocol protocol, bool stream)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Status(429), ScriptedAnswer.Status(503), ScriptedAnswer.Text("third time"));

        var response = await AskAsync(Client(server), stream);

        Assert.Equal("third time", response.Text);
        Assert.Equal(3, server.Requests.Count);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task A_server_that_keeps_failing_is_an_error_naming_provider_model_and_status(FakeProtocol protocol, bool stream)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.WhenScriptEnds = ScriptedAnswer.Status(500);

        var error = await Assert.ThrowsAsync<ModelCallException>(() => AskAsync(Client(server), stream));

        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.Contains(protocol == FakeProtocol.OpenAI ? "openai model test-model" : "anthropic model test-model", error.Message);
        Assert.Contains("HTTP 500", error.Message);
        Assert.Equal(3, server.Requests.Count);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task A_client_error_is_not_retried(FakeProtocol protocol, bool stream)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.WhenScriptEnds = ScriptedAnswer.Status(401);

        var error = await Assert.ThrowsAsync<ModelCallException>(() => AskAsync(Client(server), stream));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Single(server.Requests);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Malformed_json_is_an_error_that_says_the_answer_was_not_valid(FakeProtocol protocol, bool stream)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Malformed());

        var error = await Assert.ThrowsAsync<ModelCallException>(() => AskAsync(Client(server, new RetrySettings(1, TimeSpan.Zero)), stream));

        Assert.Contains("test-model", error.Message);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task A_server_that_never_answers_times_out_and_says_so(FakeProtocol protocol, bool stream)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.WhenScriptEnds = ScriptedAnswer.Hang();

        var error = await Assert.ThrowsAsync<ModelCallException>(() =>
            AskAsync(Client(server, new RetrySettings(2, TimeSpan.Zero), TimeSpan.FromMilliseconds(300)), stream));

        Assert.Contains("did not answer within", error.Message);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task A_server_that_is_down_is_an_error_that_says_it_cannot_be_reached(FakeProtocol protocol, bool stream)
    {
        var server = await FakeModelServer.StartAsync(protocol);
        var client = Client(server);
        await server.DisposeAsync();

        var error = await Assert.ThrowsAsync<ModelCallException>(() => AskAsync(client, stream));

        Assert.True(error.Message.Contains("cannot be reached"), error.Message + " // " + error.InnerException);
        Assert.Null(error.Status);
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task A_refusal_arrives_as_an_answer_without_tool_calls(FakeProtocol protocol, bool stream)
    {
        await using var server = await FakeModelServer.StartAsync(protocol);
        server.Script(ScriptedAnswer.Refusal("I can't help with that."));

        var response = await AskAsync(Client(server), stream);

        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.True(ModelAnswers.IsRefusal(response), $"finish reason {response.FinishReason}, text '{response.Text}'");
    }
}
