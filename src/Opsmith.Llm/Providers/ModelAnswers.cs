using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Opsmith.Llm.Providers;

/// <summary>Reading what a model answered: refusals, fenced blocks, JSON objects — forgiving of the wrapping, strict about the content.</summary>
public static class ModelAnswers
{
    /// <summary>
    /// The model declined (a content filter, a refusal stop reason, the provider's refusal field), or said nothing
    /// usable at all — no text and no tool call (a streamed refusal arrives like that).
    /// </summary>
    public static bool IsRefusal(ChatResponse response) =>
        response.FinishReason == ChatFinishReason.ContentFilter
        || (string.IsNullOrWhiteSpace(response.Text) && !response.Messages.SelectMany(m => m.Contents).Any(c => c is FunctionCallContent))
        || response.FinishReason?.Value == "refusal"
        || response.Messages.SelectMany(m => m.Contents).Any(c => c is ErrorContent)
        || response.Messages.Any(m => m.AdditionalProperties?.ContainsKey("refusal") == true);

    /// <summary>The body of the first fenced block (```yaml, ```diff, …) in <paramref name="text"/>, or the text itself when there is none.</summary>
    public static string Unfenced(string text)
    {
        var start = text.IndexOf("```", StringComparison.Ordinal);
        if (start < 0) return text.Trim();
        var bodyStart = text.IndexOf('\n', start);
        if (bodyStart < 0) return text.Trim();
        var end = text.IndexOf("```", bodyStart, StringComparison.Ordinal);
        return (end < 0 ? text[(bodyStart + 1)..] : text[(bodyStart + 1)..end]).TrimEnd() + "\n";
    }

    /// <summary>The first JSON object in the answer (fenced or not), or null when there is none that parses.</summary>
    public static JsonObject? JsonObjectIn(string text)
    {
        var body = Unfenced(text);
        var start = body.IndexOf('{');
        var end = body.LastIndexOf('}');
        if (start < 0 || end <= start) return null;
        try
        {
            return JsonNode.Parse(body[start..(end + 1)]) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
