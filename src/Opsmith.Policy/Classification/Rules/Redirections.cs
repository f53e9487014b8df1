using Opsmith.Policy.Classification.Shell;

namespace Opsmith.Policy.Classification.Rules;

/// <summary><c>&gt; FILE</c>, <c>&gt;&gt; FILE</c>, <c>&amp;&gt; FILE</c>, <c>&lt;&gt; FILE</c>: the shell itself writes, whatever the program is.</summary>
internal static class Redirections
{
    public static Verdict Judge(Redirection redirection)
    {
        if (redirection.Target is null) return Verdict.Read("redirect.none", "no target");
        return Targets.Write(redirection.Target, "redirect", replaces: !redirection.Appends && redirection.Operator != "<>");
    }
}
