namespace Opsmith.Policy.Classification.Shell;

/// <summary>The recursive-descent grammar behind <see cref="ShellParser"/>, one token of look-ahead.</summary>
internal sealed class ShellGrammar
{
    private static readonly HashSet<string> Closers = ["}", "fi", "done", "esac", "then", "else", "elif", "do"];

    private readonly ShellLexer lexer;
    private readonly List<string> problems;
    private readonly int depth;
    private Token current;

    public List<string> FunctionNames { get; } = [];

    /// <summary>Functions whose body calls the function itself (<c>:(){ :|:& };:</c>).</summary>
    public List<string> RecursiveFunctions { get; } = [];

    public ShellGrammar(string text, List<string> problems, int depth)
    {
        lexer = new ShellLexer(text, problems);
        this.problems = problems;
        this.depth = depth;
        current = lexer.Next();
    }

    public List<SimpleCommand> Script()
    {
        var commands = new List<SimpleCommand>();
        while (current.Kind != TokenKind.End)
        {
            commands.AddRange(List(_ => false));
            if (current.Kind == TokenKind.End) break;
            problems.Add($"unexpected '{current.Text}'");
            Advance();
        }
        return commands;
    }

    private void Advance() => current = lexer.Next();

    private bool IsClosing(Token token) =>
        token.Kind == TokenKind.Operator && token.Text is ")" or ";;" or ";&" or ";;&"
        || token.Kind == TokenKind.Word && Closers.Contains(token.Text) && token.IsWord(token.Text);

    private List<SimpleCommand> List(Func<Token, bool> isEnd)
    {
        var result = new List<SimpleCommand>();
        while (true)
        {
            while (current.Kind == TokenKind.Newline || current.IsOperator(";") || current.IsOperator("&")) Advance();
            if (current.Kind == TokenKind.End || isEnd(current) || IsClosing(current)) return result;
            var before = current;
            result.AddRange(AndOr());
            if (ReferenceEquals(before, current) && current.Kind != TokenKind.End)
            {
                problems.Add($"unexpected '{current.Text}'");
                Advance();
            }
        }
    }

    private List<SimpleCommand> AndOr()
    {
        var result = Pipeline();
        while (current.IsOperator("&&") || current.IsOperator("||"))
        {
            Advance();
            SkipNewlines();
            result.AddRange(Pipeline());
        }
        return result;
    }

    private List<SimpleCommand> Pipeline()
    {
        if (current.IsWord("!")) Advance();
        var element = Command();
        var all = new List<SimpleCommand>(element);
        while (current.IsOperator("|") || current.IsOperator("|&"))
        {
            Advance();
            SkipNewlines();
            var source = element.Where(c => !c.InSubstitution).ToList();
            element = Command().Select(c => c.PipedFrom is null && !c.InSubstitution ? c with { PipedFrom = source } : c).ToList();
            all.AddRange(element);
        }
        return all;
    }

    private List<SimpleCommand> Command()
    {
        if (current.Kind == TokenKind.Arithmetic)
        {
            var nested = Substitutions(ShellLexer.SubstitutionsIn(current.Text, problems));
            nested.AddRange(AsNestedSubshells(current.Text));
            Advance();
            return nested.Concat(Redirects()).ToList();
        }
        if (current.IsOperator("("))
        {
            Advance();
            var body = List(t => t.IsOperator(")"));
            Expect(")", isOperator: true);
            return body.Concat(Redirects()).ToList();
        }
        if (current.Kind != TokenKind.Word) return Simple();
        return current.IsWord("{") ? Group()
            : current.IsWord("if") ? If()
            : current.IsWord("while") || current.IsWord("until") ? While()
            : current.IsWord("for") || current.IsWord("select") ? For()
            : current.IsWord("case") ? Case()
            : current.IsWord("function") ? Function()
            : current.IsWord("coproc") ? Coproc()
            : current.IsWord("[[") ? Test()
            : Simple();
    }

    /// <summary>
    /// dash (/bin/sh on Debian and Ubuntu) has no <c>(( ))</c>: it runs <c>((rm -rf /x))</c> as two nested subshells.
    /// When the text inside looks like commands rather than arithmetic, those commands are read too.
    /// </summary>
    private List<SimpleCommand> AsNestedSubshells(string arithmetic)
    {
        if (arithmetic.Length < 4 || depth >= ShellParser.MaxDepth) return [];
        var inner = arithmetic[2..^(arithmetic.EndsWith("))", StringComparison.Ordinal) ? 2 : 0)];
        var reading = ShellParser.Parse(inner, depth + 1);
        var looksLikeCommands = inner.Contains(';') || inner.Contains('|') || inner.Contains("&&")
            || reading.Commands.SelectMany(c => c.Words).Any(w => w.Text.Length > 1 && w.Text[0] is '-' or '/' && char.IsAsciiLetter(w.Text[1]));
        return reading.Problems.Count == 0 && looksLikeCommands ? reading.Commands.ToList() : [];
    }

    private List<SimpleCommand> Group()
    {
        Advance();
        var body = List(t => t.IsWord("}"));
        Expect("}");
        return body.Concat(Redirects()).ToList();
    }

    private List<SimpleCommand> If()
    {
        Advance();
        var result = List(t => t.IsWord("then"));
        Expect("then");
        result.AddRange(List(t => t.IsWord("elif") || t.IsWord("else") || t.IsWord("fi")));
        while (current.IsWord("elif"))
        {
            Advance();
            result.AddRange(List(t => t.IsWord("then")));
            Expect("then");
            result.AddRange(List(t => t.IsWord("elif") || t.IsWord("else") || t.IsWord("fi")));
        }
        if (current.IsWord("else"))
        {
            Advance();
            result.AddRange(List(t => t.IsWord("fi")));
        }
        Expect("fi");
        return result.Concat(Redirects()).ToList();
    }

    private List<SimpleCommand> While()
    {
        Advance();
        var result = List(t => t.IsWord("do"));
        return result.Concat(DoGroup()).ToList();
    }

    private List<SimpleCommand> For()
    {
        Advance();
        var result = new List<SimpleCommand>();
        if (current.Kind == TokenKind.Arithmetic) Advance();
        else if (current.Kind == TokenKind.Word) Advance();
        SkipNewlines();
        if (current.IsWord("in"))
        {
            Advance();
            while (current.Kind == TokenKind.Word)
            {
                result.AddRange(Substitutions(current.Word!.Parts.OfType<SubstitutionPart>()));
                Advance();
            }
        }
        while (current.Kind == TokenKind.Newline || current.IsOperator(";")) Advance();
        if (current.IsWord("{")) return result.Concat(Group()).ToList();
        return result.Concat(DoGroup()).ToList();
    }

    private List<SimpleCommand> DoGroup()
    {
        Expect("do");
        var body = List(t => t.IsWord("done"));
        Expect("done");
        return body.Concat(Redirects()).ToList();
    }

    private List<SimpleCommand> Case()
    {
        Advance();
        var result = new List<SimpleCommand>();
        if (current.Kind == TokenKind.Word)
        {
            result.AddRange(Substitutions(current.Word!.Parts.OfType<SubstitutionPart>()));
            Advance();
        }
        SkipNewlines();
        Expect("in");
        while (true)
        {
            SkipNewlines();
            if (current.IsWord("esac")) { Advance(); break; }
            if (current.Kind == TokenKind.End) { problems.Add("'case' without 'esac'"); break; }
            if (current.IsOperator("(")) Advance();
            while (current.Kind is TokenKind.Word || current.IsOperator("|")) Advance();
            Expect(")", isOperator: true);
            result.AddRange(List(t => t.IsWord("esac")));
            if (current.Kind == TokenKind.Operator && current.Text is ";;" or ";&" or ";;&") Advance();
            else if (!current.IsWord("esac")) { problems.Add($"unexpected '{current.Text}' in case"); break; }
        }
        return result.Concat(Redirects()).ToList();
    }

    private List<SimpleCommand> Function()
    {
        Advance();
        string? name = null;
        if (current.Kind == TokenKind.Word)
        {
            name = current.Text;
            FunctionNames.Add(current.Text);
            Advance();
        }
        if (current.IsOperator("("))
        {
            Advance();
            Expect(")", isOperator: true);
        }
        SkipNewlines();
        return NoteRecursion(name, Command());
    }

    /// <summary><c>coproc [NAME] COMMAND</c>: COMMAND runs in the background; a NAME is only given before a compound command.</summary>
    private List<SimpleCommand> Coproc()
    {
        Advance();
        if (current.Kind == TokenKind.Word && !current.IsWord("{") && lexer.PeekIsCompoundStart()) Advance();
        return Command();
    }

    private List<SimpleCommand> NoteRecursion(string? name, List<SimpleCommand> body)
    {
        if (name is not null && body.Any(c => c.Program?.Text == name)) RecursiveFunctions.Add(name);
        return body;
    }

    /// <summary><c>[[ ... ]]</c> only tests; its words (where <c>&lt;</c> compares, not redirects) are kept as they are.</summary>
    private List<SimpleCommand> Test()
    {
        var words = new List<ShellWord>();
        while (current.Kind != TokenKind.End && !current.IsWord("]]"))
        {
            if (current.Word is not null) words.Add(current.Word);
            else words.Add(ShellWord.Literal(current.Text + (current.Redirection?.Target?.Text ?? "")));
            Advance();
        }
        if (current.IsWord("]]")) { words.Add(current.Word!); Advance(); }
        else problems.Add("'[[' without ']]'");
        var nested = Substitutions(words.SelectMany(w => w.Parts.OfType<SubstitutionPart>()));
        return nested.Append(new SimpleCommand([], [ShellWord.Literal("[["), .. words], [])).ToList();
    }

    private List<SimpleCommand> Simple()
    {
        var assignments = new List<Assignment>();
        var words = new List<ShellWord>();
        var redirects = new List<Redirection>();
        var nested = new List<SimpleCommand>();
        while (true)
        {
            if (current.Kind == TokenKind.Redirect)
            {
                nested.AddRange(RedirectSubstitutions(current.Redirection!));
                redirects.Add(current.Redirection!);
                Advance();
                continue;
            }
            if (current.Kind != TokenKind.Word) break;
            var word = current.Word!;
            nested.AddRange(Substitutions(word.Parts.OfType<SubstitutionPart>()));
            if (words.Count == 0 && ShellParser.AsAssignment(word) is { } assignment) assignments.Add(assignment);
            else words.Add(word);
            Advance();
            if (words.Count == 1 && assignments.Count == 0 && redirects.Count == 0 && current.IsOperator("("))
            {
                // name() { ...; }: a function definition. Its body is read as if it runs (it may be called).
                FunctionNames.Add(word.Text);
                Advance();
                Expect(")", isOperator: true);
                SkipNewlines();
                return nested.Concat(NoteRecursion(word.Text, Command())).ToList();
            }
        }
        if (words.Count > 0 || assignments.Count > 0 || redirects.Count > 0)
            nested.Add(new SimpleCommand(assignments, words, redirects));
        return nested;
    }

    /// <summary>Redirections after a compound command apply to all of it; they are kept as a command without words.</summary>
    private List<SimpleCommand> Redirects()
    {
        var redirects = new List<Redirection>();
        var nested = new List<SimpleCommand>();
        while (current.Kind == TokenKind.Redirect)
        {
            nested.AddRange(RedirectSubstitutions(current.Redirection!));
            redirects.Add(current.Redirection!);
            Advance();
        }
        if (redirects.Count > 0) nested.Add(new SimpleCommand([], [], redirects));
        return nested;
    }

    private List<SimpleCommand> RedirectSubstitutions(Redirection redirection)
    {
        // A here-document's delimiter is never expanded; an unquoted body is.
        IEnumerable<SubstitutionPart> found = redirection.HereDoc switch
        {
            null => redirection.Target?.Parts.OfType<SubstitutionPart>().ToList() ?? [],
            { Expands: true } hereDoc => ShellLexer.SubstitutionsIn(hereDoc.Body, problems),
            _ => [],
        };
        return Substitutions(found);
    }

    private List<SimpleCommand> Substitutions(IEnumerable<SubstitutionPart> substitutions)
    {
        var result = new List<SimpleCommand>();
        foreach (var substitution in substitutions)
        {
            var inner = ShellParser.Parse(substitution.Body, depth + 1);
            problems.AddRange(inner.Problems);
            result.AddRange(inner.Commands.Select(c => c with { InSubstitution = true }));
        }
        return result;
    }

    private void Expect(string text, bool isOperator = false)
    {
        if (isOperator ? current.IsOperator(text) : current.IsWord(text))
        {
            Advance();
            return;
        }
        problems.Add(current.Kind == TokenKind.End ? $"missing '{text}'" : $"expected '{text}' but found '{current.Text}'");
    }

    private void SkipNewlines()
    {
        while (current.Kind == TokenKind.Newline) Advance();
    }
}
