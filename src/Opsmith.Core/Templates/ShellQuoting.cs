namespace Opsmith.Core.Templates;

/// <summary>Where in a shell command a position falls, as far as quoting goes.</summary>
public enum QuoteContext { Unquoted, SingleQuotes, DoubleQuotes, HereDocument }

/// <summary>
/// Finds the quoting context at positions of a shell command. Template values are shell-quoted when they
/// are rendered, which is safe only where a bare word is: inside '...' the value's own quotes would close
/// the surrounding ones, and inside "..." or a here-document $(...) in a value would run. So a template
/// must stand unquoted; this scanner tells where it does not. It follows POSIX sh quoting, $( ), ` `,
/// comments and here-documents; it does not need to be a full parser to answer that one question.
/// </summary>
public static class ShellQuoting
{
    private enum Frame { None, Single, Double, Substitution, Backtick }

    public static QuoteContext ContextAt(string command, int offset)
    {
        var stack = new Stack<(Frame Kind, int Depth)>();
        stack.Push((Frame.None, 0));
        var pendingHereDocs = new Queue<string>();
        var i = 0;
        while (i < command.Length)
        {
            if (i == offset) return Map(stack.Peek().Kind);
            var c = command[i];
            var (frame, depth) = stack.Peek();
            if (c == '\n' && pendingHereDocs.Count > 0 && frame is Frame.None)
            {
                // Skip here-document bodies; a position inside one is in a here-document.
                var lineStart = i + 1;
                while (pendingHereDocs.Count > 0)
                {
                    var delimiter = pendingHereDocs.Dequeue();
                    while (lineStart < command.Length)
                    {
                        var lineEnd = command.IndexOf('\n', lineStart);
                        if (lineEnd < 0) lineEnd = command.Length;
                        if (offset >= lineStart && offset <= lineEnd) return QuoteContext.HereDocument;
                        var line = command[lineStart..lineEnd].TrimStart('\t');
                        lineStart = lineEnd + 1;
                        if (line == delimiter) break;
                    }
                }
                i = lineStart;
                continue;
            }
            switch (frame)
            {
                case Frame.Single:
                    if (c == '\'') stack.Pop();
                    break;
                case Frame.Double:
                    if (c == '\\') i++;
                    else if (c == '"') stack.Pop();
                    else if (c == '$' && At(command, i + 1, '(')) { stack.Push((Frame.Substitution, 0)); i++; }
                    else if (c == '`') stack.Push((Frame.Backtick, 0));
                    break;
                default:
                    if (c == '\\') i++;
                    else if (c == '\'') stack.Push((Frame.Single, 0));
                    else if (c == '"') stack.Push((Frame.Double, 0));
                    else if (c == '$' && At(command, i + 1, '(')) { stack.Push((Frame.Substitution, 0)); i++; }
                    else if (c == '`' && frame == Frame.Backtick) stack.Pop();
                    else if (c == '`') stack.Push((Frame.Backtick, 0));
                    else if (c == '(' && frame == Frame.Substitution) { stack.Pop(); stack.Push((Frame.Substitution, depth + 1)); }
                    else if (c == ')' && frame == Frame.Substitution)
                    {
                        stack.Pop();
                        if (depth > 0) stack.Push((Frame.Substitution, depth - 1));
                    }
                    else if (c == '#' && (i == 0 || char.IsWhiteSpace(command[i - 1])))
                    {
                        var end = command.IndexOf('\n', i);
                        if (end < 0 || offset < end) return offset > i ? QuoteContext.Unquoted : Map(frame);
                        i = end;
                        continue;
                    }
                    else if (c == '<' && At(command, i + 1, '<') && !At(command, i + 2, '<'))
                    {
                        var (delimiter, next) = ReadHereDocDelimiter(command, i + 2);
                        if (delimiter.Length > 0) pendingHereDocs.Enqueue(delimiter);
                        i = next;
                        continue;
                    }
                    break;
            }
            i++;
        }
        return Map(stack.Peek().Kind);
    }

    private static (string Delimiter, int Next) ReadHereDocDelimiter(string command, int i)
    {
        if (At(command, i, '-')) i++;
        while (i < command.Length && command[i] is ' ' or '\t') i++;
        var start = i;
        while (i < command.Length && !char.IsWhiteSpace(command[i]) && command[i] is not (';' or '|' or '&' or ')')) i++;
        return (command[start..i].Replace("'", "").Replace("\"", "").Replace("\\", ""), i);
    }

    private static bool At(string text, int index, char c) => index < text.Length && text[index] == c;

    private static QuoteContext Map(Frame frame) => frame switch
    {
        Frame.Single => QuoteContext.SingleQuotes,
        Frame.Double => QuoteContext.DoubleQuotes,
        _ => QuoteContext.Unquoted,
    };
}
