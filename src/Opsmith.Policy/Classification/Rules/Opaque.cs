using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary>
/// Verdicts for what cannot be read statically: code built or decoded at run time, code in another
/// language, interactive shells. All are at least destructive; code that names a data path is data-mutation.
/// </summary>
internal static class Opaque
{
    /// <summary>Programs whose output is decoded text whatever their arguments.</summary>
    private static readonly HashSet<string> AlwaysDecode = ["gunzip", "zcat", "bzcat", "xzcat", "zstdcat", "uudecode", "rev", "tr", "printf"];

    /// <summary>Programs that decode when given a decode flag (base64 -d, xxd -r, openssl enc -d, gzip -d).</summary>
    private static readonly HashSet<string> DecodeWithFlag = ["base64", "base32", "basenc", "xxd", "openssl", "gzip", "bzip2", "xz", "zstd"];

    private static readonly HashSet<string> DecodeFlags = ["-d", "--decode", "-D", "-r", "-dc", "-cd", "enc", "-base64"];

    private static readonly HashSet<string> Downloaders = ["curl", "wget", "fetch", "nc", "ncat", "socat", "aws", "gsutil"];

    public static Verdict DynamicProgram(ShellWord program) => program.Parts.Any(p => p is SubstitutionPart)
        ? Verdict.Destructive("opaque.substituted-program", $"the program name comes from a command's output ({program.Raw}), so what runs is known only then")
        : Verdict.Destructive("opaque.dynamic-program", $"the program name is built when the command runs ({program.Raw})");

    public static Verdict DynamicScript(ShellWord body) =>
        Verdict.Destructive("opaque.dynamic-script", $"the shell text contains expansions ({Shorten(body.Raw)}) that are filled in when it runs");

    public static Verdict Eval(IReadOnlyList<ShellWord> words)
    {
        var text = string.Join(' ', words.Select(w => w.Text));
        return Paths.MentionsData(text)
            ? Verdict.Data("opaque.eval", "eval runs text built at run time, and it names a data path")
            : Verdict.Destructive("opaque.eval", "eval runs text built at run time");
    }

    public static Verdict InteractiveShell(string name) =>
        Verdict.Destructive("opaque.interactive-shell", $"{name} opens a shell whose commands are not on the command line");

    /// <summary>A shell or interpreter reading a pipe: whatever the program before it prints is run.</summary>
    public static Verdict PipeToShell(Stdin stdin, string name)
    {
        var source = stdin.From?.Program is { IsLiteral: true } program ? ClassificationSession.ProgramName(program.Text) : null;
        var decodes = source is not null
            && (AlwaysDecode.Contains(source) || DecodeWithFlag.Contains(source) && stdin.From!.Arguments.Any(w => DecodeFlags.Contains(w.Text)));
        if (decodes)
            return Verdict.Destructive("opaque.decoded-to-shell", $"{name} runs text decoded by {source} at run time");
        if (source is not null && Downloaders.Contains(source))
            return Verdict.Destructive("opaque.download-to-shell", $"{name} runs whatever {source} downloads");
        return Verdict.Destructive("opaque.pipe-to-shell", $"{name} runs whatever {source ?? "the previous command"} prints");
    }

    /// <summary>Code in another language (python -c, perl -e, node -e, ...): not read, judged by the paths it names.</summary>
    public static Verdict Code(string language, string code) => Paths.MentionsData(code)
        ? Verdict.Data("opaque.interpreter-code-data", $"{language} code is not read here, and it names a data path or disk")
        : Verdict.Destructive("opaque.interpreter-code", $"{language} code is not read here; it can do anything the user can");

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
