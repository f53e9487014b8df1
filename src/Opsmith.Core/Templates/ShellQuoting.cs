namespace Opsmith.Core.Templates;

/// <summary>Where in a shell command a position falls, as far as quoting goes.</summary>
public enum QuoteContext { Unquoted, SingleQuotes, DoubleQuotes, HereDocument, Comment, AfterDollarOrBackslash }

/// <summary>
/// Finds the quoting context at a position of a shell command. Template values are shell-quoted when they
/// are rendered, which is safe only where a bare word is: inside '...' the value's own quotes would close
/// the surrounding ones; inside "..." or a here-document a $(...) in the value would run; in a comment a
/// newline in the value would start a command; right after $ a quoted word becomes $'...' (ANSI-C quoting
/// in bash and ash), and after \ its opening quote is escaped. It follows POSIX sh quoting, $( ), ` `,
/// case patterns, comments and here-documents (<c>&lt;&lt;</c> and <c>&lt;&lt;-</c>, in any nesting).
/// </summary>
public static class ShellQuoting
{
    private enum Frame { None, Single, Double, Substitution, Backtick }

    private sealed class Scope(Frame kind)
    {
        public Frame Kind { get; } = kind;
        public int Parens { get; set; }
        public int CaseDepth { get; set; }
    }

    public static QuoteContext ContextAt(string command, int offset)
    {
        if (offset > 0 && command[offset - 1] is '$' or '\\') return QuoteContext.AfterDollarOrBackslash;
        var stack = new Stack<Scope>();
        stack.Push(new Scope(Frame.None));
        var pending = new Queue<(string Delimiter, bool StripTabs)>();
        var i = 0;
        while (i < command.Length && i <= offset)
        {
            var scope = stack.Peek();
            var c = command[i];
            if (i == offset) return Map(scope.Kind);
            if (c == '\n' && pending.Count > 0 && scope.Kind is not (Frame.Single or Frame.Double))
            {
                var (inBody, next) = SkipHereDocuments(command, i + 1, pending, offset);
                if (inBody) return QuoteContext.HereDocument;
                i = next;
                continue;
            }
            switch (scope.Kind)
            {
                case Frame.Single:
                    if (c == '\'') stack.Pop();
                    break;
                case Frame.Double:
                    if (c == '\\') i++;
                    else if (c == '"') stack.Pop();
                    else if (c == '$' && At(command, i + 1, '(')) { stack.Push(new Scope(Frame.Substitution)); i++; }
                    else if (c == '`') stack.Push(new Scope(Frame.Backtick));
                    break;
                default:
                    if (c == '\\') i++;
                    else if (c == '\'') stack.Push(new Scope(Frame.Single));
                    else if (c == '"') stack.Push(new Scope(Frame.Double));
                    else if (c == '$' && At(command, i + 1, '(')) { stack.Push(new Scope(Frame.Substitution)); i++; }
                    else if (c == '`' && scope.Kind == Frame.Backtick) stack.Pop();
                    else if (c == '`') stack.Push(new Scope(Frame.Backtick));
                    else if (scope.Kind == Frame.Substitution && IsWord(command, i, "case")) scope.CaseDepth++;
                    else if (scope.Kind == Frame.Substitution && IsWord(command, i, "esac") && scope.CaseDepth > 0) scope.CaseDepth--;
                    else if (c == '(' && scope.Kind == Frame.Substitution) scope.Parens++;
                    else if (c == ')' && scope.Kind == Frame.Substitution)
                    {
                        // Inside case ... esac a ')' ends a pattern, not the substitution.
                        if (scope.CaseDepth > 0) break;
                        if (scope.Parens > 0) scope.Parens--;
                        else stack.Pop();
                    }
                    else if (c == '#' && (i == 0 || char.IsWhiteSpace(command[i - 1]) || command[i - 1] is ';' or '&' or '|' or '('))
                    {
                        var end = command.IndexOf('\n', i);
                        if (end < 0 || offset < end) return QuoteContext.Comment;
                        i = end;
                        continue;
                    }
                    else if (c == '<' && At(command, i + 1, '<') && !At(command, i + 2, '<'))
                    {
                        var (delimiter, stripTabs, next) = ReadDelimiter(command, i + 2);
                        if (delimiter.Length > 0) pending.Enqueue((delimiter, stripTabs));
                        i = next;
                        continue;
                    }
                    break;
            }
            i++;
        }
        return Map(stack.Peek().Kind);
    }

    /// <summary>Skips the bodies of pending here-documents from <paramref name="start"/>; says whether the offset lies in one.</summary>
    private static (bool InBody, int Next) SkipHereDocuments(string command, int start, Queue<(string Delimiter, bool StripTabs)> pending, int offset)
    {
        var lineStart = start;
        while (pending.Count > 0)
        {
            var (delimiter, stripTabs) = pending.Dequeue();
            while (lineStart < command.Length)
            {
                var lineEnd = command.IndexOf('\n', lineStart);
                if (lineEnd < 0) lineEnd = command.Length;
                if (offset >= lineStart && offset <= lineEnd) return (true, lineEnd);
                var line = command[lineStart..lineEnd];
                if (stripTabs) line = line.TrimStart('\t');
                lineStart = lineEnd + 1;
                if (line == delimiter) break;
            }
        }
        return (false, lineStart);
    }

    private static (string Delimiter, bool StripTabs, int Next) ReadDelimiter(string command, int i)
    {
        var stripTabs = At(command, i, '-');
        if (stripTabs) i++;
        while (i < command.Length && command[i] is ' ' or '\t') i++;
        var start = i;
        while (i < command.Length && !char.IsWhiteSpace(command[i]) && command[i] is not (';' or '|' or '&' or ')' or '<' or '>')) i++;
        return (command[start..i].Replace("'", "").Replace("\"", "").Replace("\\", ""), stripTabs, i);
    }

    private static bool IsWord(string text, int i, string word) =>
        string.CompareOrdinal(text, i, word, 0, word.Length) == 0
        && (i == 0 || !char.IsLetterOrDigit(text[i - 1]) && text[i - 1] != '_')
        && (i + word.Length >= text.Length || !char.IsLetterOrDigit(text[i + word.Length]) && text[i + word.Length] != '_');

    private static bool At(string text, int index, char c) => index < text.Length && text[index] == c;

    private static QuoteContext Map(Frame frame) => frame switch
    {
        Frame.Single => QuoteContext.SingleQuotes,
        Frame.Double => QuoteContext.DoubleQuotes,
        _ => QuoteContext.Unquoted,
    };
}
