using System.Text;

namespace Opsmith.Core.Text;

/// <summary>
/// A unified diff of two texts, line by line (longest common subsequence; skills are small), with three lines
/// of context, in the form <c>patch</c> and <c>git apply</c> read. Empty when the texts are the same.
/// </summary>
public static class UnifiedDiff
{
    private const int Context = 3;

    public static string Of(string before, string after, string oldName, string newName)
    {
        var a = Lines(before);
        var b = Lines(after);
        var edits = Edits(a, b);
        if (edits.All(e => e.Kind == ' ')) return "";
        var text = new StringBuilder($"--- {oldName}\n+++ {newName}\n");
        var i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Kind == ' ') { i++; continue; }
            var start = Math.Max(0, i - Context);
            var end = i;
            // Extend the hunk while changes are within twice the context of each other.
            while (end < edits.Count)
            {
                if (edits[end].Kind != ' ') { end++; continue; }
                var next = end;
                while (next < edits.Count && edits[next].Kind == ' ') next++;
                if (next < edits.Count && next - end <= 2 * Context) end = next;
                else { end = Math.Min(edits.Count, end + Context); break; }
            }
            var hunk = edits.Skip(start).Take(end - start).ToList();
            var oldStart = hunk.First().OldLine;
            var newStart = hunk.First().NewLine;
            var oldCount = hunk.Count(e => e.Kind != '+');
            var newCount = hunk.Count(e => e.Kind != '-');
            text.Append($"@@ -{(oldCount == 0 ? oldStart - 1 : oldStart)},{oldCount} +{(newCount == 0 ? newStart - 1 : newStart)},{newCount} @@\n");
            foreach (var e in hunk) text.Append(e.Kind).Append(e.Text).Append('\n');
            i = end;
        }
        return text.ToString();
    }

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    private readonly record struct Edit(char Kind, string Text, int OldLine, int NewLine);

    private static List<Edit> Edits(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var x = a.Length - 1; x >= 0; x--)
            for (var y = b.Length - 1; y >= 0; y--)
                lcs[x, y] = a[x] == b[y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
        var edits = new List<Edit>();
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (i < a.Length && j < b.Length && a[i] == b[j]) { edits.Add(new Edit(' ', a[i], i + 1, j + 1)); i++; j++; }
            else if (j < b.Length && (i == a.Length || lcs[i, j + 1] >= lcs[i + 1, j])) { edits.Add(new Edit('+', b[j], i + 1, j + 1)); j++; }
            else { edits.Add(new Edit('-', a[i], i + 1, j + 1)); i++; }
        }
        return edits;
    }
}
