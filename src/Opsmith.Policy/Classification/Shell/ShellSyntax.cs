namespace Opsmith.Policy.Classification.Shell;

/// <summary>The body of a here-document. <see cref="Expands"/> is true for an unquoted delimiter (<c>&lt;&lt;EOF</c>), whose body the shell expands.</summary>
public sealed record HereDoc(string Body, bool Expands);

/// <summary>
/// A redirection such as <c>&gt; file</c>, <c>2&gt;&amp;1</c>, <c>&lt; input</c>, <c>&lt;&lt;&lt; word</c> or a here-document.
/// <see cref="Fd"/> is the explicit descriptor number when one was written.
/// </summary>
public sealed record Redirection(int? Fd, string Operator, ShellWord? Target, HereDoc? HereDoc = null)
{
    /// <summary>True when the redirection writes to a file (not a descriptor duplication such as <c>2&gt;&amp;1</c>).</summary>
    public bool WritesFile => Operator is ">" or ">>" or ">|" or "&>" or "&>>" or "<>"
        || (Operator == ">&" && Target is not null && !IsDescriptor(Target.Text));

    public bool Appends => Operator is ">>" or "&>>";

    public bool FeedsStdin => (Fd is null or 0) && Operator is "<" or "<<" or "<<-" or "<<<";

    private static bool IsDescriptor(string text) => text == "-" || text.All(char.IsAsciiDigit);
}

/// <summary><c>NAME=value</c> written before a command (or alone).</summary>
public sealed record Assignment(string Name, ShellWord Value);

/// <summary>
/// One simple command the line runs: assignments, words (the program first) and redirections.
/// <see cref="PipedFrom"/> is null when the command does not read a pipe; otherwise it holds the simple
/// commands of the pipeline element before it (empty when that element could not be read).
/// <see cref="InSubstitution"/> marks commands that run inside <c>$(...)</c>, backticks or <c>&lt;(...)</c>.
/// </summary>
public sealed record SimpleCommand(
    IReadOnlyList<Assignment> Assignments,
    IReadOnlyList<ShellWord> Words,
    IReadOnlyList<Redirection> Redirections,
    IReadOnlyList<SimpleCommand>? PipedFrom = null,
    bool InSubstitution = false)
{
    public ShellWord? Program => Words.Count > 0 ? Words[0] : null;

    public IReadOnlyList<ShellWord> Arguments => Words.Count > 1 ? Words.Skip(1).ToList() : [];

    /// <summary>The command written back as one line (quoting as it was written), for messages and re-reading.</summary>
    public string Raw => string.Join(' ',
        Assignments.Select(a => a.Name + "=" + a.Value.Raw)
            .Concat(Words.Select(w => w.Raw))
            .Concat(Redirections.Select(r => (r.Fd?.ToString() ?? "") + r.Operator + (r.Target?.Raw ?? ""))));
}

/// <summary>
/// What <see cref="ShellParser"/> read: every simple command in the order the shell would start them,
/// the names of functions the text defines (their bodies are among the commands) and problems it met.
/// </summary>
public sealed record ParsedScript(IReadOnlyList<SimpleCommand> Commands, IReadOnlyList<string> Problems, IReadOnlyList<string> FunctionNames, IReadOnlyList<string>? RecursiveFunctions = null);
