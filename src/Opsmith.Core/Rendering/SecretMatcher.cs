namespace Opsmith.Core.Rendering;

/// <summary>
/// Finds every occurrence of a fixed set of patterns in one pass over the text (Aho-Corasick), ignoring case
/// and line breaks: <c>HUNTER2</c> and <c>hun\nter2</c> both match <c>hunter2</c>. Work is linear in the
/// text's length whatever the patterns, so masking a 1 MiB output costs the same with one form or a hundred.
/// Immutable once built; safe to share between threads.
/// </summary>
internal sealed class SecretMatcher
{
    private readonly Dictionary<char, int>[] _next;
    private readonly int[] _fail;
    private readonly int[] _depth;
    /// <summary>The longest pattern that ends at this node, itself or by its failure chain; 0 if none.</summary>
    private readonly int[] _longest;
    private readonly int _window;

    public SecretMatcher(IEnumerable<string> patterns)
    {
        var next = new List<Dictionary<char, int>> { new() };
        var depth = new List<int> { 0 };
        var terminal = new List<int> { 0 };
        foreach (var pattern in patterns.Select(Normalize).Where(p => p.Length > 0))
        {
            var node = 0;
            foreach (var c in pattern)
            {
                if (!next[node].TryGetValue(c, out var child))
                {
                    child = next.Count;
                    next[node][c] = child;
                    next.Add([]);
                    depth.Add(depth[node] + 1);
                    terminal.Add(0);
                }
                node = child;
            }
            terminal[node] = pattern.Length;
            _window = Math.Max(_window, pattern.Length);
        }
        _next = [.. next];
        _depth = [.. depth];
        _fail = new int[next.Count];
        _longest = [.. terminal];
        // Breadth first, so a node's failure target is finished before the node.
        var queue = new Queue<int>(next[0].Values);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            _longest[node] = Math.Max(_longest[node], _longest[_fail[node]]);
            foreach (var (c, child) in _next[node])
            {
                _fail[child] = node == 0 ? 0 : Goto(_fail[node], c);
                queue.Enqueue(child);
            }
        }
    }

    public bool IsEmpty => _window == 0;

    private int Goto(int state, char c)
    {
        while (true)
        {
            if (_next[state].TryGetValue(c, out var target)) return target;
            if (state == 0) return 0;
            state = _fail[state];
        }
    }

    /// <summary>Lower-case and without line breaks: the text is read the same way.</summary>
    internal static string Normalize(string pattern) =>
        string.Concat(pattern.Where(c => c is not ('\r' or '\n')).Select(char.ToLowerInvariant));

    /// <summary>
    /// The spans (start, end exclusive, in the original text) that a pattern covers, overlapping ones merged.
    /// With <paramref name="trailingPrefix"/> &gt; 0, a text that ends in the first that many or more
    /// characters of a pattern has that end covered too: the text was cut, and the rest of the secret with it.
    /// </summary>
    public List<(int Start, int End)> Find(string text, int trailingPrefix, out long steps)
    {
        var spans = new List<(int Start, int End)>();
        steps = 0;
        if (IsEmpty) return spans;
        // Where each of the last _window read characters stood in the original text.
        var ring = new int[_window + 1];
        long read = 0;
        var state = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\r' or '\n') continue;
            c = char.ToLowerInvariant(c);
            while (true)
            {
                steps++;
                if (_next[state].TryGetValue(c, out var target)) { state = target; break; }
                if (state == 0) break;
                state = _fail[state];
            }
            ring[read % ring.Length] = i;
            read++;
            var length = _longest[state];
            if (length > 0) Merge(spans, ring[(read - length) % ring.Length], i + 1);
        }
        if (trailingPrefix > 0 && _depth[state] >= trailingPrefix)
            Merge(spans, ring[(read - _depth[state]) % ring.Length], text.Length);
        return spans;
    }

    private static void Merge(List<(int Start, int End)> spans, int start, int end)
    {
        while (spans.Count > 0 && spans[^1].End >= start)
        {
            start = Math.Min(start, spans[^1].Start);
            end = Math.Max(end, spans[^1].End);
            spans.RemoveAt(spans.Count - 1);
        }
        spans.Add((start, end));
    }
}
